/**
 * Mattermost notifies everyone in a channel for @all, @channel and @here (any case). User text the bot copies into
 * another channel (a status update broadcast) must not carry them there: the writer could not ping that channel
 * themselves. A zero-width space after the "@" breaks the mention and still reads "@all".
 */
// Not inside a word (ops@here.example.com is an address) and not the start of a longer name (@allison); a trailing
// period still mentions ("@channel." pings), as Mattermost strips it.
const SPECIAL_MENTION = /(?<![a-z0-9_.-])@(all|channel|here)(?![a-z0-9_-])/gi;

export function neutraliseSpecialMentions(text: string): string {
  return text.replace(SPECIAL_MENTION, '@\u200b$1');
}

/**
 * Text a person wrote, shown by the bot as plain text: its Markdown escaped (it draws no image, link or heading in
 * the bot's post) and no special mention in it (the bot would ping the whole channel each time it shows it).
 */
export function asPlainText(text: string): string {
  return neutraliseSpecialMentions(text.replace(/[\\`*_~[\]()!#>|<]/g, '\\$&'));
}
