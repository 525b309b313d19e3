export { logValue, EarlyStoppingCallback } from './callbacks';
export type {
  EpochLogs, LoggedName, BatchInfo, TrainingPlan, TrainerControl, CallbackReport, TrainerCallback, EarlyStoppingOptions, EarlyStoppingState,
} from './callbacks';
export { sparseCategoricalCrossentropy, categoricalCrossentropy, binaryCrossentropy, meanSquaredError, accuracy, confusionMatrix, accuracyAndF1 } from './metrics';
export type { LossFunction, TrainingLossName, Metric, MetricName } from './metrics';
export * from './schedules';
export { clipByGlobalNorm, globalNormScale, type ClippedGradients } from './gradient-clip';
export type { OptimizerName } from './optimizers';
export { loadCheckpointFolder, checkCheckpointDirectory, type CheckpointData, type StoredTensor } from './checkpoint';
export * from './checkpoint-callback';
export type { CustomModel, TrainableModel } from './trainable-model';
export * from './trainer-options';
export * from './trainer';
export * from './live-plot-callback';
