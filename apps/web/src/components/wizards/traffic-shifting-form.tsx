"use client";
import { trafficShiftingResources, trafficShiftingRows } from "./traffic-shifting";
import type { WizardDef, WizardFormProps } from "./wizard-def";
import { evenSplit, setLocked, setWeight, TOTAL, totalOf, type WeightRow } from "./weights";
import styles from "./wizards.module.css";

function TrafficShiftingForm({ form: rows, onChange, disabled }: WizardFormProps<WeightRow[]>) {
  const total = totalOf(rows);
  if (rows.length === 0) return <p className="error">This service has no subsets and its workloads carry no version label, so there is nothing to split traffic between.</p>;
  return (
    <div>
      <table className={styles.weights}>
        <thead>
          <tr>
            <th>Subset</th>
            <th>Weight</th>
            <th />
            <th>Lock</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.subset}>
              <td className="mono">{r.subset}</td>
              <td className={styles.sliderCell}>
                <input
                  type="range"
                  min={0}
                  max={TOTAL}
                  step={1}
                  value={r.weight}
                  disabled={disabled || r.locked}
                  aria-label={`Weight of subset ${r.subset}`}
                  data-testid={`weight-slider-${r.subset}`}
                  onChange={(e) => onChange(setWeight(rows, i, e.currentTarget.valueAsNumber))}
                />
              </td>
              <td>
                <input
                  type="number"
                  min={0}
                  max={TOTAL}
                  step={1}
                  value={r.weight}
                  disabled={disabled || r.locked}
                  aria-label={`Weight of subset ${r.subset} in percent`}
                  data-testid={`weight-input-${r.subset}`}
                  className={styles.weightInput}
                  onChange={(e) => {
                    const v = e.currentTarget.value === "" ? 0 : e.currentTarget.valueAsNumber;
                    if (Number.isFinite(v)) onChange(setWeight(rows, i, v));
                  }}
                />
                %
              </td>
              <td>
                <input
                  type="checkbox"
                  checked={r.locked}
                  disabled={disabled}
                  aria-label={`Lock the weight of subset ${r.subset}`}
                  title="A locked weight stays put while the others rebalance"
                  data-testid={`weight-lock-${r.subset}`}
                  onChange={(e) => onChange(setLocked(rows, i, e.currentTarget.checked))}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="toolbar">
        <button type="button" data-testid="even-split" disabled={disabled} onClick={() => onChange(evenSplit(rows))}>
          Even split
        </button>
        <span className={total === TOTAL ? styles.totalOk : styles.totalBad} data-testid="weight-total" data-total={total} aria-live="polite">
          Total: {total}%{total !== TOTAL && ` (must be ${TOTAL}%)`}
        </span>
      </div>
    </div>
  );
}

export const trafficShifting: WizardDef<WeightRow[]> = {
  start: (cfg) => trafficShiftingRows(cfg),
  errors: (rows) => {
    if (rows.length === 0) return ["There are no subsets to route to."];
    const total = totalOf(rows);
    return total === TOTAL ? [] : [`The weights add up to ${total}%; they must add up to ${TOTAL}%.`];
  },
  resources: trafficShiftingResources,
  Form: TrafficShiftingForm,
};
