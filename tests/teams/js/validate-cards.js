#!/usr/bin/env node
// stdin: JSON array of Adaptive Cards -> stdout: [{index, errors, warnings}]; exit 1 if any errors, 2 on bad input.
'use strict';
const AC = require('adaptivecards/dist/adaptivecards.js'); // UMD bundle, works in plain Node, no DOM
const WARN = new Set(['Hint', 'Deprecated']);               // advisory; everything else is an error
const fmt = (e) => {
  const o = { phase: AC.ValidationPhase[e.phase], event: AC.ValidationEvent[e.event], message: e.message };
  if (e.source && e.source.getJsonTypeName) { o.source = e.source.getJsonTypeName(); if (e.source.id) o.sourceId = e.source.id; }
  return o;
};
function validateCard(json) {
  if (!json || typeof json !== 'object' || Array.isArray(json)) return [{ phase: 'Parse', event: 'Other', message: 'Card is not a JSON object' }];
  const ev = [];
  if (json.type !== 'AdaptiveCard') ev.push({ phase: 'Parse', event: 'MissingCardType', message: `Card type must be "AdaptiveCard" (got ${JSON.stringify(json.type)})` });
  try {
    const card = new AC.AdaptiveCard();
    const ctx = new AC.SerializationContext();            // targetVersion = Versions.latest (1.6)
    card.parse(json, ctx);                                // parse events: unknown element/action types, ...
    for (let i = 0; i < ctx.eventCount; i++) ev.push(fmt(ctx.getEventAt(i)));
    if (typeof card.validateProperties === 'function')    // duplicate ids, missing ids, empty ChoiceSet, ...
      for (const e of card.validateProperties().validationEvents) ev.push(fmt(e));
  } catch (err) { ev.push({ phase: 'Parse', event: 'Exception', message: String((err && err.stack) || err) }); }
  return ev;
}
let input = '';
process.stdin.setEncoding('utf8').on('data', (c) => { input += c; }).on('end', () => {
  let cards;
  try { cards = JSON.parse(input); } catch (e) { console.error(`invalid JSON on stdin: ${e.message}`); process.exit(2); }
  if (!Array.isArray(cards)) { console.error('stdin must be a JSON array of cards'); process.exit(2); }
  const out = cards.map((c, index) => {
    const all = validateCard(c);
    return { index, errors: all.filter((e) => !WARN.has(e.event)), warnings: all.filter((e) => WARN.has(e.event)) };
  });
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  process.exitCode = out.some((r) => r.errors.length) ? 1 : 0;
});
