// Scripted wikibase-cli session (the unmodified `wb` command) against the local sandbox.
// Usage: node wikibase_cli_scenario.mjs <api url> <user> <password> <scratch dir>
// The scratch dir becomes HOME and holds the `wb` config (instance + credentials), so no user
// file is read or written. Prints one line per step and "N/M steps"; exits 0 only when every
// step passed.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const [apiUrl, username, password, scratch] = process.argv.slice(2)
const instance = apiUrl.replace(/\/w\/api\.php$/, '')
const wbBin = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', '.bin', 'wb')
const config = join(scratch, 'wb-config.json')
mkdirSync(scratch, { recursive: true })
writeFileSync(config, JSON.stringify({ instance, lang: 'en', credentials: { [instance]: { username, password } } }), { mode: 0o600 })
const env = { ...process.env, HOME: scratch, WB_CONFIG: config, WB_INSTANCE: instance, WB_BOT: 'true' }
const tag = Math.random().toString(16).slice(2, 8)
const ctx = {}

function wb (...args) {
  return execFileSync(wbBin, args, { env, encoding: 'utf8', timeout: 60000, stdio: ['ignore', 'pipe', 'pipe'] })
}
const wbJson = (...args) => JSON.parse(wb(...args))
async function api (params) {
  const res = await fetch(`${apiUrl}?${new URLSearchParams({ format: 'json', ...params })}`)
  return res.json()
}
const entity = id => wbJson('data', id)
const values = (e, pid) => (e.claims[pid] || []).map(c => c.mainsnak.datavalue?.value)

const steps = [
  ['log in', () => {
    assert.match(wb('config', 'credentials', instance, 'test'), /credentials are valid/)
  }],
  ['create an item with every datatype, a qualifier and two references', () => {
    ctx.wlm = `cli-${tag} "Ä" id`
    ctx.label = `wikibase-cli test church ${tag}`
    const res = wbJson('create-entity', JSON.stringify({
      labels: { en: ctx.label },
      descriptions: { en: 'church used by the wikibase-cli scenario' },
      aliases: { en: ['WCTC'] },
      claims: {
        P31: 'Q41176',
        P1435: { value: 'Q41176', qualifiers: { P580: '1890' }, references: [{ P248: 'Q20244383', P813: '2024-05-01' }, { P854: 'https://example.org/register/3' }] },
        P625: { latitude: 59.3293, longitude: 18.0686, precision: 0.0001 },
        P571: '1723-06-03',
        P2186: ctx.wlm,
        P2046: { amount: 7, unit: '1' },
        P6375: { text: 'Storgatan 3', language: 'sv' },
        P18: 'Wikibase-cli test church.jpg',
        P373: 'Wikibase-cli test church',
        P3896: 'Data:Sweden/wikibase-cli test.map',
      },
    }))
    ctx.id = res.entity.id
  }],
  ['read it back equal', () => {
    const e = entity(ctx.id)
    assert.equal(e.labels.en.value, ctx.label)
    assert.equal(values(e, 'P2186')[0], ctx.wlm)
    assert.equal(values(e, 'P18')[0], 'Wikibase-cli test church.jpg')
    assert.deepEqual(values(e, 'P6375')[0], { text: 'Storgatan 3', language: 'sv' })
    assert.equal(values(e, 'P2046')[0].amount, '+7')
    assert.equal(e.claims.P1435[0].references.length, 2)
    assert.ok(e.claims.P1435[0].qualifiers.P580)
  }],
  ['edit label, description, aliases and sitelink with the dedicated actions', () => {
    wb('set-label', ctx.id, 'de', `${ctx.label} (de)`)
    wb('set-description', ctx.id, 'sv', 'kyrka i wikibase-cli-scenariot')
    wb('add-alias', ctx.id, 'en', 'wikibase-cli church')
    wb('remove-alias', ctx.id, 'en', 'WCTC')
    wb('set-sitelink', ctx.id, 'svwiki', ctx.label)
    const e = entity(ctx.id)
    assert.equal(e.labels.de.value, `${ctx.label} (de)`)
    assert.equal(e.descriptions.sv.value, 'kyrka i wikibase-cli-scenariot')
    assert.deepEqual(e.aliases.en.map(a => a.value), ['wikibase-cli church'])
    assert.equal(e.sitelinks.svwiki.title, ctx.label)
  }],
  ['add, change and remove a claim', () => {
    const { claim } = wbJson('add-claim', ctx.id, 'P17', 'Q34')
    wb('update-claim', claim.id, 'Q41176')
    let e = entity(ctx.id)
    assert.equal(values(e, 'P17')[0].id, 'Q41176')
    wb('remove-claim', claim.id)
    e = entity(ctx.id)
    assert.equal(e.claims.P17, undefined)
  }],
  ['add, change and remove a qualifier and a reference', () => {
    const guid = entity(ctx.id).claims.P31[0].id
    wb('add-qualifier', guid, 'P580', '1900')
    wb('update-qualifier', guid, 'P580', '1900', '1901')
    wb('add-reference', guid, 'P854', 'https://example.org/source/4')
    let stmt = entity(ctx.id).claims.P31[0]
    assert.equal(stmt.qualifiers.P580[0].datavalue.value.time, '+1901-00-00T00:00:00Z')
    wb('remove-qualifier', guid, stmt.qualifiers.P580[0].hash)
    wb('remove-reference', guid, stmt.references[0].hash)
    stmt = entity(ctx.id).claims.P31[0]
    assert.equal(stmt.qualifiers, undefined)
    assert.equal(stmt.references, undefined)
  }],
  ['search with haswbstatement (quoted identifier with spaces and non-ASCII)', () => {
    const escaped = ctx.wlm.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
    const hits = wbJson('search', '--cirrus', '--json', `haswbstatement:"P2186=${escaped}"`)
    assert.deepEqual(hits.map(h => h.title ?? h.id), [ctx.id])
  }],
  ['list revisions and contributions', async () => {
    const [page] = wb('revisions', '--limit', '50', ctx.id).trim().split('\n').map(JSON.parse)
    assert.equal(page.title, ctx.id)
    assert.ok(page.revisions.length >= 10, page.revisions.length)
    const contribs = await api({ action: 'query', list: 'usercontribs', ucuser: 'Wlkit', uclimit: 50 })
    assert.ok(contribs.query.usercontribs.some(c => c.title === ctx.id))
  }],
  ['merge two items', () => {
    const a = wbJson('create-entity', JSON.stringify({ labels: { en: `wikibase-cli merge source ${tag}` } })).entity.id
    const b = wbJson('create-entity', JSON.stringify({ labels: { en: `wikibase-cli merge target ${tag}` } })).entity.id
    const res = wbJson('merge-entity', a, b)
    assert.equal(res.success, 1)
  }],
]

let passed = 0
for (const [name, fn] of steps) {
  try {
    await fn()
    passed++
    console.log(`ok   ${name}`)
  } catch (err) {
    console.log(`FAIL ${name}: ${err.message.split('\n')[0]}`)
    console.error(err.stderr || err)
  }
}
console.log(`${passed}/${steps.length} steps`)
process.exit(passed === steps.length ? 0 : 1)
