// Feedback on completed work (API.md, "Contracts, feedback and scorecards"): QA scores, CSAT, reopening
// for rework, and the measured quality that routing's `quality` factor uses. Pure transitions and rules.
import { z } from 'zod';
import type { KpiTicket, TicketFeedback } from './kpi-counts.js';
import { boundedNumber } from './numbers.js';
import { atRiskAtFor, withEvent } from './ticket.js';
import type { Ticket } from './types.js';

export const feedbackRequestSchema = z
  .strictObject({
    qaScore: boundedNumber(0, 1, 6).optional(),
    csat: z.number().int().min(1).max(5).optional(),
    comment: z.string().max(2000).optional(),
    reopen: z.literal(true).optional(),
    reason: z.string().min(1).max(2000).optional(),
  })
  .superRefine((body, ctx) => {
    const rating = body.qaScore !== undefined || body.csat !== undefined || body.comment !== undefined;
    if (body.reopen && rating)
      ctx.addIssue({
        code: 'custom',
        message: 'either a rating (qaScore, csat, comment) or reopen, not both',
      });
    if (!body.reopen && !rating)
      ctx.addIssue({ code: 'custom', message: 'qaScore, csat, comment, or reopen with a reason' });
    if (body.reopen && !body.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'why it is reopened' });
    if (!body.reopen && body.reason)
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'only with reopen' });
  })
  .meta({ id: 'FeedbackRequest' });
export type FeedbackRequest = z.infer<typeof feedbackRequestSchema>;

/** Rework has this long by default when the SLA policy names no `reworkSeconds`. */
export const DEFAULT_REWORK_SECONDS = 86_400;

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A rating of the ticket's latest completion; fields given again replace the earlier ones. The same rating
 * sent again changes nothing (the ticket itself comes back), so a retried call counts once.
 */
export function toRated(
  ticket: Ticket,
  rating: Omit<FeedbackRequest, 'reopen' | 'reason'>,
  nowMs: number,
): Ticket {
  const current = ticket as KpiTicket;
  if (current.status !== 'completed' || !current.completedAt) return ticket;
  const previous = current.feedback?.completedAt === current.completedAt ? current.feedback : undefined;
  const merged: TicketFeedback = {
    ...previous,
    ...Object.fromEntries(Object.entries(rating).filter(([, value]) => value !== undefined)),
    at: iso(nowMs),
    completedAt: current.completedAt,
  };
  if (
    previous &&
    previous.qaScore === merged.qaScore &&
    previous.csat === merged.csat &&
    previous.comment === merged.comment
  )
    return ticket;
  return withEvent({ ...current, feedback: merged } as Ticket, {
    at: merged.at,
    event: 'feedback',
    providerId: current.providerId,
  });
}

/**
 * Reopened for rework: back at the provider that completed it (queued there, its capacity taken in the
 * same write), due `reworkSeconds` from now in calendar time, not charged again. `providerId` undefined:
 * that provider cannot take it, so it goes back to routing like any other ticket.
 */
export function toReopened(
  ticket: Ticket,
  args: { reason: string; reworkSeconds: number; providerId?: string; atRiskFraction?: number },
  nowMs: number,
): Ticket {
  const at = iso(nowMs);
  const dueAt = iso(nowMs + args.reworkSeconds * 1000);
  const atRiskAt = atRiskAtFor(at, dueAt, args.atRiskFraction ?? 0.8);
  const current = ticket as KpiTicket;
  const reopened: KpiTicket = {
    ...current,
    status: args.providerId ? 'queued' : 'received',
    providerId: args.providerId,
    reopened: (current.reopened ?? 0) + 1,
    dueAt,
    completedAt: undefined,
    resolution: undefined,
    leasedAt: undefined,
    leaseTokenHash: undefined,
    leaseExpiresAt: undefined,
    // Rework is not charged again (the hourly cost metric reads this price at completion).
    costPerItem: 0,
    ...(args.providerId
      ? {
          routedAt: at,
          attempts: current.attempts + 1,
          routing: {
            decidedAt: at,
            providerId: args.providerId,
            reason: 'rework: back to the provider that completed it',
            candidates: [],
          },
        }
      : {}),
    sla: {
      state: 'on_track',
      breached: false,
      atRiskAt,
      policyId: current.sla.policyId,
      targets: {
        resolution: { dueAt, atRiskAt, seconds: args.reworkSeconds, breached: false },
      },
    },
  };
  const next = withEvent(reopened as Ticket, {
    at,
    event: 'reopened',
    providerId: current.providerId,
    reason: args.reason,
  });
  return args.providerId
    ? withEvent(next, { at, event: 'queued', providerId: args.providerId, reason: 'rework' })
    : next;
}

/** QA scores per day, as the quality counters keep them (sum in millionths, and how many). */
export interface QualityDay {
  day: string;
  qaSum: number;
  qaCount: number;
}

/** Weight halves every this many days: the latest scores count most. */
export const QUALITY_HALF_LIFE_DAYS = 14;
/** Days of QA scores that measured quality looks back over. */
export const QUALITY_WINDOW_DAYS = 90;
/** Weighted samples at which the measured mean counts as much as the declared score. */
export const QUALITY_PRIOR_SAMPLES = 20;

export type QualitySource = 'declared' | 'blended' | 'measured';

/**
 * Measured quality: the recency-weighted mean of QA scores (half-life QUALITY_HALF_LIFE_DAYS), blended with
 * the declared `qualityScore` as a prior worth QUALITY_PRIOR_SAMPLES samples. `declared` without samples;
 * `measured` once the samples outweigh the prior four to one.
 */
export function measuredQuality(
  declared: number,
  days: readonly QualityDay[],
  nowMs: number,
): { quality: number; source: QualitySource; samples: number } {
  let weightedSum = 0;
  let weightedCount = 0;
  let samples = 0;
  for (const { day, qaSum, qaCount } of days) {
    if (qaCount <= 0) continue;
    const ageDays = Math.max(0, (nowMs - Date.parse(`${day}T12:00:00.000Z`)) / 86_400_000);
    if (ageDays > QUALITY_WINDOW_DAYS) continue;
    const weight = 0.5 ** (ageDays / QUALITY_HALF_LIFE_DAYS);
    weightedSum += (weight * qaSum) / 1_000_000;
    weightedCount += weight * qaCount;
    samples += qaCount;
  }
  if (weightedCount === 0) return { quality: declared, source: 'declared', samples: 0 };
  const quality = (weightedSum + QUALITY_PRIOR_SAMPLES * declared) / (weightedCount + QUALITY_PRIOR_SAMPLES);
  const source = weightedCount >= 4 * QUALITY_PRIOR_SAMPLES ? 'measured' : 'blended';
  return { quality: Math.min(1, Math.max(0, quality)), source, samples };
}
