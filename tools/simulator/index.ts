/**
 * The in-process API of the OpenAI-compatible image simulator: start one, point the OpenAI client's
 * `baseURL` at `sim.baseURL`, inject faults, assert on the record. See README.md.
 */
export { DEFAULT_API_KEY, startSimulator } from './server';
export { makeTestImage, makeTestPng, type TestImageFormat, type TestImageOptions } from './fixtures';
export { sniffImage, type ImageInfo } from './sniff';
export type {
  DetectedType,
  Fault,
  FaultKind,
  FaultMix,
  MixOutcome,
  RecordedFile,
  RecordedRequest,
  Simulator,
  SimulatorEvent,
  SimulatorOptions,
} from './types';
