import type { Node, NodeAPI, NodeDef } from 'node-red';
import { ImageApiConnection, type ConnectionSettings } from './connection';

interface ApiCredentials {
  apiKey?: string;
}

type ApiConfigDef = NodeDef & ConnectionSettings;

export interface ImageApiNode extends Node<ApiCredentials> {
  connection: ImageApiConnection;
}

export = function registerImageApi(RED: NodeAPI): void {
  function OpenAiImageApiNode(this: ImageApiNode, config: ApiConfigDef): void {
    RED.nodes.createNode(this, config);
    // The environment variable is the documented fallback when the credential is empty.
    this.connection = new ImageApiConnection(config, this.credentials?.apiKey || process.env.OPENAI_API_KEY);
    if (this.connection.invalidSettings.length) {
      this.warn(RED._('openai-image-api.warn.invalidSettings', { settings: this.connection.invalidSettings.join(', ') }));
    }
    this.on('close', (done: () => void) => {
      this.connection.close();
      done();
    });
  }

  RED.nodes.registerType<ImageApiNode, ApiConfigDef, unknown, ApiCredentials>('openai-image-api', OpenAiImageApiNode, {
    credentials: { apiKey: { type: 'password' } },
  });
};
