export interface BenchMetric {
  name: string;
  value: number;
  unit: string;
}

export interface BenchTarget {
  name: string;
  measured: string;
  met: boolean;
}

export interface BenchResult {
  name: string;
  at: string;
  machine: { cpus: number; node: string };
  metrics: BenchMetric[];
  targets: BenchTarget[];
}

export interface BenchCase {
  name: string;
  description: string;
  run(): Promise<BenchResult>;
}
