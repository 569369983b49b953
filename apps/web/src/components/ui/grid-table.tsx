import type { ReactNode } from "react";

interface Props {
  /** Header cells; "" for a column without a heading. */
  columns: readonly string[];
  /** When set (not empty), a row across every column saying why there are no rows. */
  empty?: ReactNode;
  emptyClassName?: string;
  className?: string;
  testId?: string;
  children: ReactNode;
}

/** A `table.grid` with its header row; the empty-state row spans all columns, however many there are. */
export function GridTable({ columns, empty, emptyClassName = "muted", className, testId, children }: Props) {
  return (
    <table className={className ? `grid ${className}` : "grid"} data-testid={testId}>
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th key={i}>{c}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {children}
        {empty ? (
          <tr>
            <td colSpan={columns.length} className={emptyClassName}>
              {empty}
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}
