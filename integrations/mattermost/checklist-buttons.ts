/**
 * The checklist's buttons as the worker is configured for them (where clicks go, the secret the API verifies them
 * with), turned into the signer the chat activities take: the activities never see the secret or how it signs.
 */
import type { ActionClaims, ChecklistButtons } from '../../formats/checklist-attachments.js';
import { signPayload } from '../../security/signing.js';

export interface ButtonSettings {
  /** Where Mattermost sends clicks: <public API URL>/mattermost/actions */
  actionUrl: string;
  secret: string;
  /** How long a rendered button stays valid (the post is re-rendered on every change anyway). */
  ttlMs?: number;
}

export function signedChecklistButtons({ actionUrl, secret, ttlMs = 30 * 24 * 3600_000 }: ButtonSettings): ChecklistButtons {
  return { actionUrl, sign: (claims) => signPayload<ActionClaims>(secret, claims, ttlMs) };
}
