/** The operator reference (docs/operators.md), generated from the operator table so it cannot go stale. */
import { COUNT_OPERATORS, OPERATORS } from './operators';

function operandType(schema: Record<string, unknown>): string {
  const t = schema.type;
  if (Array.isArray(t)) return t.join(' or ');
  return typeof t === 'string' ? t : 'any value';
}

export function operatorReference(): string {
  const lines = [
    '# Operator reference',
    '',
    '<!-- Generated from src/rules/operators.ts by `npm run generate`; do not edit by hand. -->',
    '',
    'A field condition is `{ field: <path>, <operator>: <value> }` with exactly one operator, and',
    'optionally `caseSensitive: true`. Strings compare case-insensitively by default. The value may be',
    'a literal or a reference: `{ $param: name }`, `{ $fact: name }` or `{ $field: path }`.',
    '',
    'A field that is absent fails every operator except `exists: false`; `null` is a value for',
    '`equals`, `notEquals`, `in` and `notIn`, and fails the others.',
    '',
    '| operator | value | meaning | example |',
    '| --- | --- | --- | --- |',
  ];
  for (const op of OPERATORS) {
    lines.push(`| \`${op.name}\` | ${operandType(op.operand)} | ${op.summary} | \`${op.example}\` |`);
  }
  lines.push(
    '',
    `\`count\` conditions bound the number of elements with: ${COUNT_OPERATORS.map((o) => `\`${o}\``).join(', ')}.`,
    '',
  );
  return lines.join('\n');
}
