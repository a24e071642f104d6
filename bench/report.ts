/** What each section hands back to bench.ts for printing. */
export interface Target {
  name: string;
  met: boolean;
  detail: string;
}

export interface SectionReport {
  title: string;
  /** What was measured and how, one line each. */
  setup: string[];
  table: string;
  notes: string[];
  targets: Target[];
}
