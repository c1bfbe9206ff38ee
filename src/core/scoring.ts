// Scoring: the model judges, the code adds up. One table per profile.
import type { Profile, Tier } from "./types";
import type { Confidence, PlatformAdoption, Reply, UseCaseClass } from "./reply";

interface ProfileTable {
  classPoints: Record<UseCaseClass, number>;
  classNames: Record<UseCaseClass, string>;
  /** The 0-30 part: budget from funding, or platform adoption. */
  secondPart: (reply: Reply) => number;
}

/** Budget, 0-30, from total funding in millions of USD. */
export function budgetPoints(fundingMusd: number | null, quantTrading: boolean): number {
  if (fundingMusd === null) return quantTrading ? 25 : 10;
  if (fundingMusd >= 100) return 30;
  if (fundingMusd >= 50) return 25;
  if (fundingMusd >= 20) return 20;
  if (fundingMusd >= 10) return 15;
  if (fundingMusd >= 5) return 10;
  return 5;
}

const ADOPTION_POINTS: Record<PlatformAdoption, number> = { confirmed: 30, strong: 20, possible: 10, none: 0 };

export const SCORING: Record<Profile, ProfileTable> = {
  "gpu-infrastructure": {
    classPoints: { S: 50, A: 45, B: 45, C: 45, D: 35, E: 10, UNKNOWN: 5 },
    classNames: {
      S: "Frontier pre-training",
      A: "Post-training at scale",
      B: "Massive inference",
      C: "AI infrastructure platform",
      D: "Specialized GPU-heavy training",
      E: "Fine-tuning or API wrapper",
      UNKNOWN: "Unknown",
    },
    secondPart: (r) => budgetPoints(r.funding_musd, r.quant_trading),
  },
  "managed-inference": {
    // The reply enum is shared by both profiles; this profile has no E, and an E answer (a wrapper)
    // is worth what D, "API wrapper or low scale", is worth.
    classPoints: { S: 50, A: 45, B: 35, C: 25, D: 10, E: 10, UNKNOWN: 5 },
    classNames: {
      S: "Enterprise-scale managed inference",
      A: "High-volume inference",
      B: "Production inference",
      C: "Small-scale or experimental inference",
      D: "API wrapper or low scale",
      E: "API wrapper or low scale",
      UNKNOWN: "Unknown",
    },
    secondPart: (r) => (r.platform_adoption === null ? 0 : ADOPTION_POINTS[r.platform_adoption]),
  },
};

export const CONFIDENCE_POINTS: Record<Confidence, number> = { high: 10, medium: 5, low: 2 };

export function growthPoints(reply: Pick<Reply, "rapid_growth" | "ml_hiring" | "recent_funding">): number {
  return (reply.rapid_growth ? 4 : 0) + (reply.ml_hiring ? 3 : 0) + (reply.recent_funding ? 3 : 0);
}

export interface TierBand {
  tier: Exclude<Tier, "UNKNOWN">;
  /** The lowest score of the tier. */
  min: number;
  /** What the tier says about a company, in a sales rep's words, for what each profile measures. */
  meaning: Record<Profile, string>;
}

/** The tiers, highest first: a score belongs to the first band whose minimum it reaches. */
export const TIER_BANDS: readonly TierBand[] = [
  {
    tier: "HOT",
    min: 75,
    meaning: { "gpu-infrastructure": "needs a lot of GPU compute, call first", "managed-inference": "runs AI at scale, call first" },
  },
  {
    tier: "WARM",
    min: 55,
    meaning: { "gpu-infrastructure": "a real GPU need, worth a call", "managed-inference": "a real inference need, worth a call" },
  },
  {
    tier: "WATCH",
    min: 35,
    meaning: {
      "gpu-infrastructure": "some AI work but little GPU need yet, keep an eye on it",
      "managed-inference": "some AI use but small so far, keep an eye on it",
    },
  },
  {
    tier: "COLD",
    min: 0,
    meaning: { "gpu-infrastructure": "little or no GPU need", "managed-inference": "little or no use for hosted AI models" },
  },
];

/** What UNKNOWN means: no band, because nothing reliable was found to score. */
export const UNKNOWN_MEANING = "nothing reliable found about the company";

export function tierFor(score: number): Exclude<Tier, "UNKNOWN"> {
  for (const band of TIER_BANDS) if (score >= band.min) return band.tier;
  return "COLD";
}

/** "75+", "under 35": a band's scores in a few characters. */
export function bandRange(band: TierBand): string {
  if (band.min > 0) return `${band.min}+`;
  const lowest = Math.min(...TIER_BANDS.filter((b) => b.min > 0).map((b) => b.min));
  return `under ${lowest}`;
}

export interface ScoreBreakdown {
  useCase: number;
  second: number;
  growth: number;
  confidence: number;
  score: number;
  tier: Exclude<Tier, "UNKNOWN">;
}

export function scoreReply(profile: Profile, reply: Reply): ScoreBreakdown {
  const table = SCORING[profile];
  const useCase = table.classPoints[reply.use_case_class];
  const second = table.secondPart(reply);
  const growth = growthPoints(reply);
  const confidence = CONFIDENCE_POINTS[reply.confidence];
  const score = useCase + second + growth + confidence;
  return { useCase, second, growth, confidence, score, tier: tierFor(score) };
}

/** The Use Case cell: the model's label, or the class name when the label is empty. */
export function useCaseText(profile: Profile, reply: Reply): string {
  return reply.use_case_label || SCORING[profile].classNames[reply.use_case_class];
}
