import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { ImageApiNode } from '../openai-image-api/openai-image-api';
import type { ImageApiConnection } from '../openai-image-api/connection';
import { DEFAULTS, OUTPUT_MODES, type OutputMode } from '../shared/types';
import { VariationError, classifyApiError, type ApiErrorDetails } from './errors';
import type { VariationNodeConfig } from './inputs';
import { failedMessage, successMessages, type Message } from './outputs';
import { PendingMessages, type PendingMessage } from './pending';
import { loadImageBytes, prepareVariation, type PreparedVariation } from './prepare';
import { requestVariations } from './request';
import { StatusView } from './status';

type VariationNodeDef = NodeDef & VariationNodeConfig;

interface VariationNode extends Node {
  wires?: string[][];
}

const TYPE = 'create-image-variation';

export = function registerCreateImageVariation(RED: NodeAPI): void {
  function CreateImageVariationNode(this: VariationNode, config: VariationNodeDef): void {
    RED.nodes.createNode(this, config);
    const node = this;
    const translate = (key: string, params?: Record<string, string | number>) => RED._(`${TYPE}.${key}`, params);
    const apiNode = RED.nodes.getNode(config.api ?? '') as ImageApiNode | null;
    const connection: ImageApiConnection | undefined = apiNode?.connection;
    const outputMode: OutputMode = OUTPUT_MODES.includes(config.output as OutputMode)
      ? (config.output as OutputMode)
      : DEFAULTS.output;
    const prepareContext = {
      form: config,
      baseFolder: config.baseFolder?.trim() || RED.settings.userDir || process.cwd(),
      restrictToBaseFolder: config.restrictToBaseFolder === true || config.restrictToBaseFolder === 'true',
      hasApiKey: connection?.client !== undefined,
    };
    const pending = new PendingMessages();
    const status = new StatusView(node, translate);

    function showProgress(): void {
      if (pending.size > 0) status.busy(connection?.queue.waitingFor(node) ?? 0);
    }

    function redact(text: string): string {
      return connection ? connection.redact(text) : text;
    }

    /** The API's own fields (type, code, param) can echo what was sent, the key included. */
    function redactedDetails(details: ApiErrorDetails): ApiErrorDetails {
      const entries = Object.entries(details).map(([name, value]) => [name, typeof value === 'string' ? redact(value) : value]);
      return Object.fromEntries(entries) as ApiErrorDetails;
    }

    function fail(message: PendingMessage, failure: VariationError): void {
      const { code } = failure;
      const text = redact(translate(`errors.${failure.messageKey}`, failure.params));
      pending.finish(message, ({ msg, send, done }) => {
        send([null, failedMessage(msg, { code, message: text, ...redactedDetails(failure.api) }, node) as NodeMessage]);
        status.failed(code);
        if ((node.wires?.[1]?.length ?? 0) > 0) return done();
        // Unwired output 2: report to Catch nodes too. The runtime copies `code` onto msg.error and
        // builds its message from toString(), which would otherwise prefix "Error: ".
        done(Object.assign(new Error(text), { code, stack: undefined, toString: () => text }));
      });
      showProgress();
    }

    function succeed(message: PendingMessage, messages: Message[]): void {
      pending.finish(message, ({ send, done }) => {
        send([messages as NodeMessage[], null]);
        status.succeeded(messages.length === 1 && Array.isArray(messages[0].payload) ? messages[0].payload.length : messages.length);
        done();
      });
      showProgress();
    }

    function apiContext(prepared: PreparedVariation | undefined) {
      return {
        method: prepared?.params.method ?? DEFAULTS.method,
        model: prepared?.params.model ?? '',
        baseURL: connection?.baseURL ?? '',
        timeoutSeconds: connection?.timeoutSeconds ?? 0,
      };
    }

    async function execute(message: PendingMessage, prepared: PreparedVariation, signal: AbortSignal): Promise<void> {
      if (message.finished || !connection?.client) return;
      showProgress();
      try {
        const image = await loadImageBytes(prepared);
        const result = await requestVariations(
          connection.client,
          { ...prepared.params, image, format: prepared.format },
          { signal, bodyTimeoutMs: connection.timeoutSeconds * 1000 },
        );
        succeed(
          message,
          successMessages(message.msg, result, {
            responseFormat: prepared.params.responseFormat,
            mode: outputMode,
            clone: (msg) => RED.util.cloneMessage(msg as NodeMessage) as Message,
            newId: () => RED.util.generateId(),
          }),
        );
      } catch (error) {
        // Closed (this node or its config node): complete the message, send nothing.
        if (signal.aborted) pending.finish(message, ({ done }) => done());
        else fail(message, classifyApiError(error, apiContext(prepared)));
      }
    }

    async function handle(message: PendingMessage): Promise<void> {
      if (!connection) throw new VariationError('NO_CONFIG', 'noConfig');
      const prepared = await prepareVariation(message.msg, prepareContext);
      if (message.finished) return;
      const accepted = connection.queue.submit({
        owner: node,
        start: (signal) => execute(message, prepared, signal),
        cancel: () => pending.finish(message, ({ done }) => done()),
      });
      if (!accepted) throw new VariationError('QUEUE_FULL', 'queueFull', { limit: connection.queue.queueLimit });
      showProgress();
    }

    node.on('input', (msg, send, done) => {
      const message = pending.add(msg as unknown as Record<string, unknown>, send, done);
      showProgress();
      handle(message).catch((error: unknown) => fail(message, classifyApiError(error, apiContext(undefined))));
    });

    node.on('close', (_removed: boolean, done: () => void) => {
      connection?.queue.cancelOwner(node);
      pending.abandonAll();
      status.clear();
      done();
    });
  }

  RED.nodes.registerType(TYPE, CreateImageVariationNode);
};
