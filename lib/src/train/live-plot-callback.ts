/** The Trainer's live plot as a callback (chapter 5): a panel per loss and metric, validation dashed. */
import { LivePlot, readerName, type LivePlotOptions } from '../plot/live-plot';
import { validationName, type BatchInfo, type EpochLogs, type TrainerCallback, type TrainerControl, type TrainingPlan } from './callbacks';

/** Draws training as it goes with a `LivePlot`. */
export class LivePlotCallback implements TrainerCallback {
  /** Its progress line says where an interrupt stopped training. */
  readonly reportsInterruption = true;
  /** The plot of the current (or last) run, to save with `.figure().saveHtml(...)`. */
  plot: LivePlot | null = null;
  private plan: TrainingPlan | null = null;
  private names: string[] = [];
  private epoch = 0;
  /** Samples done in this run and in this epoch. */
  private done = 0;
  private inEpoch = 0;
  /** Loss and metric totals (mean × samples) already drawn this epoch, and their samples. */
  private drawnTotals: number[] = [];
  private drawnSamples = 0;

  constructor(private readonly options: LivePlotOptions = {}) {}

  onTrainBegin(plan: TrainingPlan, control: TrainerControl): void {
    this.plan = plan;
    this.names = ['loss', ...plan.metrics];
    this.done = 0;
    const panels = this.names.map((n) => ({ yLabel: readerName(n), series: plan.validation ? [n, validationName(n)] : [n] }));
    this.plot = new LivePlot({
      xLabel: 'epoch',
      panels,
      ...this.options,
      total: Math.max(1, plan.epochs - control.epoch) * plan.samplesPerEpoch,
      unit: 'samples',
    });
    // After a resume, the epochs trained before it.
    for (const logs of control.history) {
      const values: Record<string, number> = {};
      for (const key of [...this.names, ...this.names.map(validationName)]) if (logs[key] !== undefined) values[key] = logs[key] as number;
      this.plot.update(logs.epoch, values);
    }
  }

  onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.inEpoch = 0;
    this.drawnTotals = this.names.map(() => 0);
    this.drawnSamples = 0;
  }

  onBatchEnd(info: BatchInfo): void {
    this.done += info.size;
    this.inEpoch += info.size;
    if (!info.logs || !this.plot || !this.plan) return;
    const logs = info.logs;
    const window = this.inEpoch - this.drawnSamples;
    this.names.forEach((n, i) => (this.drawnTotals[i] = (this.drawnTotals[i] as number) + (logs[n] as number) * window));
    this.drawnSamples = this.inEpoch;
    this.plot.update(this.epoch + this.inEpoch / this.plan.samplesPerEpoch, logs, this.progress());
  }

  onEpochEnd(logs: EpochLogs): void {
    if (!this.plot || !this.plan) return;
    const values: Record<string, number> = {};
    // The mean over the batches since the last point: the epoch's total minus what was drawn already.
    const rest = this.inEpoch - this.drawnSamples;
    if (rest > 0) this.names.forEach((n, i) => (values[n] = ((logs[n] as number) * this.inEpoch - (this.drawnTotals[i] as number)) / rest));
    if (this.plan.validation) this.names.forEach((n) => (values[validationName(n)] = logs[validationName(n)] as number));
    this.plot.update(this.epoch + 1, values, this.progress());
  }

  onTrainEnd(_history: EpochLogs[], control: TrainerControl): void {
    const stop = control.interrupted;
    this.plot?.close(stop ? `interrupted at epoch ${stop.epoch}, step ${stop.step}` : undefined);
  }

  private progress(): { done: number; label: string } {
    return { done: this.done, label: `epoch ${this.epoch + 1}/${this.plan?.epochs}` };
  }
}
