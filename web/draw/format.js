// Number formatting shared by labels, legends and tooltips, with no message catalogue, so the
// widget's heatmap needs no i18n.js: fixed significant digits, a true minus sign.
export function formatNumber(value, digits = 4) {
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '−∞';
  if (Number.isNaN(value)) return 'NaN';
  if (value === 0) return '0';
  const abs = Math.abs(value);
  const text = abs >= 1e5 || abs < 1e-4 ? abs.toExponential(digits - 1) : abs.toPrecision(digits);
  const trimmed = text.includes('e') ? text : text.replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return (value < 0 ? '−' : '') + trimmed;
}
