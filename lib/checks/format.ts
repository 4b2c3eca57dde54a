/** Human-readable figures for the error texts of the built-in checks. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB']

/** `536870912` → `"512 MiB"`, `1610612736` → `"1.5 GiB"`: binary units, at most one decimal. */
export function formatBytes (bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  // Whole bytes stay whole; larger units keep one decimal, and a trailing ".0" is dropped by the number conversion.
  const shown = unit === 0 ? Math.round(value) : Math.round(value * 10) / 10
  return `${shown} ${UNITS[unit]}`
}

/** `0.0512` → `"5.1%"`. */
export function formatRatio (ratio: number): string {
  return `${Math.round(ratio * 1000) / 10}%`
}

/** Milliseconds with at most one decimal: `12.345` → `"12.3 ms"`. */
export function formatMs (ms: number): string {
  return `${Math.round(ms * 10) / 10} ms`
}
