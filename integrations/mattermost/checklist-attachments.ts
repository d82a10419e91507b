/**
 * Turns the checklist post model into Mattermost message attachments whose every button and menu calls our API with a
 * signed context (`{ sig }`), so a click cannot be forged or pointed at another incident. Done in the activity: the
 * secret never enters workflow history.
 */
import type { ChecklistPost } from '../../formats/checklist-message.js';
import { signPayload } from './signing.js';

export interface ButtonSettings {
  /** Where Mattermost sends clicks: <public API URL>/mattermost/actions */
  actionUrl: string;
  secret: string;
  /** How long a rendered button stays valid (the post is re-rendered on every change anyway). */
  ttlMs?: number;
}

/** What a click's signed context carries. */
export interface ActionClaims {
  /** incident ID */
  i: string;
  /** intent */
  a: string;
  /** checklist revision the button was rendered for */
  r: string;
}

export function checklistProps(incidentId: string, post: ChecklistPost, buttons: ButtonSettings | undefined): Record<string, unknown> {
  return {
    attachments: post.attachments.map((attachment) => ({
      title: attachment.title,
      text: attachment.text,
      ...(buttons
        ? {
            actions: attachment.actions.map((action) => ({
              id: action.id,
              name: action.name,
              type: action.type,
              ...(action.style ? { style: action.style } : {}),
              ...(action.options ? { options: action.options } : {}),
              integration: {
                url: buttons.actionUrl,
                context: { sig: signPayload<ActionClaims>(buttons.secret, { i: incidentId, a: action.intent, r: post.revision }, buttons.ttlMs ?? 30 * 24 * 3600_000) },
              },
            })),
          }
        : {}),
    })),
  };
}
