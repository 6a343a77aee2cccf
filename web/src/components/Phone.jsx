/**
 * A phone number in a list or a profile: a tap-to-call link (tel:) when the
 * number is whole, plain text when it is masked (a masked number cannot be
 * called), a dash when there is none. `testid` names the wrapping span.
 */
export function Phone({ value, testid }) {
  let inner = '—';
  if (value && value.includes('*')) inner = value;
  else if (value) inner = <a class="tel-link" href={`tel:${value.replace(/[^\d+]/g, '')}`}>{value}</a>;
  return <span data-testid={testid}>{inner}</span>;
}
