/**
 * The Slack message of a webhook snapshot. Pure.
 *
 * Threat (issue 18, finding 6): the requester's reason, ticket and name are theirs to write; raw in
 * Slack mrkdwn, `<!channel>` pings everyone and `<https://evil|https://hourglass.corp/approve>`
 * shows a disguised link. So every piece of user text is escaped as Slack documents (`&` `<` `>`
 * as `&amp;` `&lt;` `&gt;`) and its special mentions are broken, and in the blocks it goes only
 * into `plain_text` fields, which Slack never parses for links or mentions.
 */
import type { WebhookSnapshot } from './webhooks.ts';

/** Text escaped for Slack mrkdwn: no link, mention or channel/user reference can be formed. */
export function slackEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@(?=(?:here|channel|everyone)\b)/gi, '@\u200b');
}

/** User text for a `plain_text` field: never parsed, but the mention words stay broken too. */
const plain = (text: string) => ({
  type: 'plain_text' as const,
  text: text.replace(/@(?=(?:here|channel|everyone)\b)/gi, '@\u200b').slice(0, 2900) || '-',
  emoji: false,
});

/** The headline: our own mrkdwn (loud for break-glass and irrevocable), user text escaped. */
function headline(snap: WebhookSnapshot): string {
  const { event, grant } = snap;
  const loud = event === 'break_glass' || event === 'irrevocable' ? ':rotating_light: *' : '';
  const what = event === 'break_glass' ? 'BREAK-GLASS' : event.toUpperCase();
  const ticket = grant.ticket ? `, ticket ${slackEscape(grant.ticket)}` : '';
  return `${loud}${what}${loud ? '*' : ''} ${grant.role} for ${slackEscape(snap.who)} (grant ${grant.id})${ticket}`;
}

/** The body posted to a Slack incoming webhook for `snap`. */
export function slackMessage(snap: WebhookSnapshot): Record<string, unknown> {
  const { grant } = snap;
  const title = headline(snap);
  return {
    // The notification and fallback text: escaped mrkdwn.
    text: `${title}: ${slackEscape(grant.reason)}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: title, verbatim: true } },
      {
        type: 'section',
        fields: [plain(`Requester: ${snap.who}`), plain(`Ticket: ${grant.ticket ?? '-'}`)],
      },
      { type: 'section', text: plain(`Reason: ${grant.reason}`) },
    ],
    // No automatic linking of names or channels, no previews of links someone typed.
    link_names: false,
    unfurl_links: false,
    unfurl_media: false,
  };
}
