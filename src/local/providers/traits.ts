// What the fake world "knows" about a company it was never told about: traits derived from a hash of
// the name, so the fake search pages and the fake model's verdict agree with each other, differ
// from company to company (tiers vary), and are identical on every run.
import { companyId, hashString } from "./common";

export type UseCaseClass = "S" | "A" | "B" | "C" | "D" | "E" | "UNKNOWN";
export type Confidence = "high" | "medium" | "low";
export type PlatformAdoption = "confirmed" | "strong" | "possible" | "none";

export interface CompanyTraits {
  useCaseClass: UseCaseClass;
  useCaseLabel: string;
  fundingMusd: number | null;
  platformAdoption: PlatformAdoption;
  quantTrading: boolean;
  rapidGrowth: boolean;
  mlHiring: boolean;
  recentFunding: boolean;
  confidence: Confidence;
  /** Sentences a web page could say about a company of this kind; `{c}` stands for the name. */
  facts: readonly string[];
}

interface ClassProfile {
  cls: UseCaseClass;
  /** Share out of 20 of companies that get this class. */
  weight: number;
  label: string;
  facts: readonly string[];
}

const CLASS_PROFILES: readonly ClassProfile[] = [
  {
    cls: "S",
    weight: 2,
    label: "Frontier model pre-training",
    facts: [
      "{c} trains large foundation models from scratch on clusters of thousands of GPUs.",
      "{c} announced a new pre-training run on a cluster of H100 GPUs and is expanding its compute footprint.",
      "Researchers at {c} publish work on scaling laws for models with hundreds of billions of parameters.",
    ],
  },
  {
    cls: "A",
    weight: 2,
    label: "Large-scale post-training (RLHF/DPO)",
    facts: [
      "{c} runs heavy reinforcement learning from human feedback and DPO on open-weight models at scale.",
      "{c} operates a custom post-training pipeline that consumes thousands of GPU hours every week.",
      "{c} builds its own reward models and preference data for post-training.",
    ],
  },
  {
    cls: "B",
    weight: 2,
    label: "Massive self-hosted inference",
    facts: [
      "{c} serves millions of daily users from models it hosts on its own GPU inference fleet.",
      "{c} moved its inference off third-party APIs and now runs self-hosted models in production.",
      "{c} reports billions of tokens generated per day for its consumer product.",
    ],
  },
  {
    cls: "C",
    weight: 2,
    label: "AI infrastructure platform",
    facts: [
      "{c} sells GPU capacity and managed inference endpoints to developers.",
      "{c} operates a training and inference platform used by AI startups.",
      "{c} is adding new data-center capacity for its GPU cloud customers.",
    ],
  },
  {
    cls: "D",
    weight: 4,
    label: "GPU-heavy specialised training",
    facts: [
      "{c} trains perception models for autonomous robots on large video datasets.",
      "{c} uses GPU clusters to train computer-vision models for its industrial customers.",
      "{c} runs large simulations and trains custom models for drug discovery.",
    ],
  },
  {
    cls: "E",
    weight: 6,
    label: "API wrapper / light AI use",
    facts: [
      "{c} builds its product on top of third-party LLM APIs such as OpenAI and Anthropic.",
      "{c} added AI features to its SaaS product using hosted model APIs.",
      "{c} fine-tuned a small model for customer support using a vendor's hosted service.",
    ],
  },
  {
    cls: "UNKNOWN",
    weight: 2,
    label: "Unclear AI use",
    facts: [
      "{c} is a private company; little is public about its technology.",
      "{c} was mentioned in a regional business directory.",
      "{c} lists a small team and a contact form on its website.",
    ],
  },
];

const FUNDING_STEPS: readonly (number | null)[] = [null, 2, 8, 15, 30, 60, 250, 1200];
const CONFIDENCES: readonly Confidence[] = ["high", "high", "medium", "low"];
const ADOPTIONS: readonly PlatformAdoption[] = ["confirmed", "strong", "possible", "none"];

function pickClass(h: number): ClassProfile {
  const total = CLASS_PROFILES.reduce((sum, p) => sum + p.weight, 0);
  let slot = h % total;
  for (const profile of CLASS_PROFILES) {
    if (slot < profile.weight) return profile;
    slot -= profile.weight;
  }
  return CLASS_PROFILES[CLASS_PROFILES.length - 1] as ClassProfile;
}

export function companyTraits(company: string): CompanyTraits {
  const h = hashString(companyId(company));
  const profile = pickClass(h);
  // Independent bit fields of the hash for each trait, so traits do not move together.
  const quant = profile.cls === "D" && ((h >>> 20) & 3) === 0;
  return {
    useCaseClass: profile.cls,
    useCaseLabel: quant ? "Quant trading research" : profile.label,
    fundingMusd: FUNDING_STEPS[(h >>> 5) % FUNDING_STEPS.length] ?? null,
    platformAdoption: ADOPTIONS[(h >>> 9) % ADOPTIONS.length] ?? "none",
    quantTrading: quant,
    rapidGrowth: ((h >>> 12) & 1) === 1,
    mlHiring: ((h >>> 13) & 1) === 1,
    recentFunding: ((h >>> 14) & 1) === 1,
    confidence: profile.cls === "UNKNOWN" ? "low" : (CONFIDENCES[(h >>> 16) % CONFIDENCES.length] ?? "medium"),
    facts: quant
      ? ["{c} is a quantitative trading firm that trains machine-learning models on market data using GPU clusters.", ...profile.facts]
      : profile.facts,
  };
}

/** A host-name-safe slug of the company name (emoji-only names still get a stable slug). */
export function companySlug(company: string): string {
  const slug = company
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug === "" ? `company-${hashString(company).toString(36)}` : slug.slice(0, 40);
}
