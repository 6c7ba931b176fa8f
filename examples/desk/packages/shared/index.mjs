// Code shared by several projects: a change here means every project is tested before a deploy.
export function roundToCents(value) {
  return Math.round(value * 100) / 100;
}
