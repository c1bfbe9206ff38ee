// Deterministic company lists for the bench and the soak. Every name ends in a fixed-width number,
// so no name is a substring of another and a misplaced result is always detectable.
const FIRST = [
  "Aurora",
  "Nimbus",
  "Vector",
  "Quanta",
  "Helix",
  "Cobalt",
  "Lumen",
  "Stratus",
  "Orbit",
  "Vertex",
  "Ember",
  "Tundra",
  "Nova",
  "Pioneer",
  "Cinder",
  "Atlas",
];
const SECOND = [
  "Labs",
  "Robotics",
  "Systems",
  "Analytics",
  "Dynamics",
  "Networks",
  "Health",
  "Logistics",
  "Capital",
  "Vision",
  "Cloud",
  "Bio",
  "Motors",
  "Software",
  "Research",
  "Studio",
];

export function companyNames(count: number, prefix = ""): string[] {
  const width = Math.max(4, String(count).length);
  return Array.from({ length: count }, (_, i) => {
    const first = FIRST[i % FIRST.length] ?? "Acme";
    const second = SECOND[Math.floor(i / FIRST.length) % SECOND.length] ?? "Labs";
    return `${prefix}${first} ${second} ${String(i + 1).padStart(width, "0")}`;
  });
}
