/** `1 rule`, `3 rules`: a count with the noun that agrees with it, the one helper every message uses. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
