import type { Language } from '@passerelle/domain';
import { CATALOGUES, MessageBody, PHRASES } from './catalogue';
import { Formatter, formatterFor } from './format';
import type { MessageModel } from './message-model';

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

const escapeHtml = (value: string): string =>
  value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

type Build = (model: MessageModel, f: Formatter) => MessageBody;

function bodyOf(model: MessageModel, language: Language): MessageBody {
  // Each catalogue entry takes the model of its own template, which `model.template` selects.
  const build = CATALOGUES[language][model.template] as unknown as Build;
  return build(model, formatterFor(language));
}

/** Pure: the message for a model, in the recipient's language, as plain text and as HTML. */
export function renderMessage(
  model: MessageModel,
  language: Language,
  recipientName: string | null,
): RenderedMessage {
  const body = bodyOf(model, language);
  const phrases = PHRASES[language];
  const greeting = phrases.greeting(recipientName);
  const text = [
    greeting,
    '',
    ...body.paragraphs.flatMap((paragraph) => [paragraph, '']),
    ...(body.details.length > 0 ? [...body.details.map(([label, value]) => `- ${label}: ${value}`), ''] : []),
    '--',
    phrases.signature,
    phrases.automatic,
    '',
  ].join('\n');
  const details =
    body.details.length > 0
      ? `<table role="presentation" style="border-collapse:collapse;margin:0 0 16px">${body.details
          .map(
            ([label, value]) =>
              `<tr><th align="left" style="padding:2px 12px 2px 0;font-weight:600;vertical-align:top">${escapeHtml(label)}</th>` +
              `<td style="padding:2px 0">${escapeHtml(value)}</td></tr>`,
          )
          .join('')}</table>`
      : '';
  const html =
    `<!doctype html><html lang="${language}"><head><meta charset="utf-8"><title>${escapeHtml(body.subject)}</title></head>` +
    `<body style="font-family:system-ui,-apple-system,'Segoe UI',sans-serif;line-height:1.5;color:#1b1b1b">` +
    `<p>${escapeHtml(greeting)}</p>` +
    body.paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join('') +
    details +
    `<hr style="border:none;border-top:1px solid #ddd"><p style="font-size:12px;color:#666">${escapeHtml(phrases.signature)}<br>` +
    `${escapeHtml(phrases.automatic)}</p></body></html>`;
  return { subject: body.subject, text, html };
}
