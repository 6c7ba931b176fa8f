/** The signal log: hash-chained, append-only records of every signal and order decision (docs/signals.md). */
export { CanonicalJsonError, canonicalJson } from "./canonical.js";
export { ENCODING_VERSION, encodeRecord, GENESIS_HASH, type HashedFields, isIntact, recordHash } from "./encoding.js";
export {
  type OpenSignalRecorderOptions,
  type OpenSignalStoreOptions,
  openSignalRecorder,
  openSignalStore,
  openSignalStoreAt,
  type StoreOpenOptions,
  signalStoreLocation,
} from "./open.js";
export {
  RECORDER_RETRY_MS,
  type RecorderState,
  type RecorderStatus,
  type RecordOutcome,
  SignalRecorder,
  type SignalRecorderOptions,
} from "./recorder.js";
export { retentionCutoff } from "./retention.js";
export { redactUrl, resolveStoreSetting, type StoreLocation } from "./setting.js";
export { SignalSpool, SPOOL_MAX_BYTES, SPOOL_MAX_RECORDS, type SpoolOptions } from "./spool.js";
export type {
  BreakReason,
  ChainBreak,
  ChainKey,
  ChainTip,
  ChainVerification,
  Checkpoint,
  Durability,
  PruneOptions,
  PruneResult,
  ReadQuery,
  RecordKind,
  SignalInput,
  SignalKind,
  SignalRecord,
  SignalStore,
  VerifyReport,
} from "./types.js";
export { RECORD_KINDS, SIGNAL_KINDS } from "./types.js";
export { parseCheckpoint } from "./verify.js";
