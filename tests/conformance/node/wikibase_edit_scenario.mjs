// Scripted wikibase-edit session against the local sandbox (unmodified wikibase-edit).
// Usage: node wikibase_edit_scenario.mjs <api url> <user> <password>
// Prints one line per step and "N/M steps"; exits 0 only when every step passed.
import assert from 'node:assert/strict'
import WBEdit from 'wikibase-edit'

const [apiUrl, username, password] = process.argv.slice(2)
const instance = apiUrl.replace(/\/w\/api\.php$/, '')
const wbEdit = WBEdit({ instance, credentials: { username, password }, userAgent: 'wlkit-conformance/0.1 (tests@example.org)', bot: true })
const tag = Math.random().toString(16).slice(2, 8)
const ctx = {}

async function api (params) {
  const url = `${apiUrl}?${new URLSearchParams({ format: 'json', ...params })}`
  const res = await fetch(url)
  return res.json()
}
const getEntity = async id => (await api({ action: 'wbgetentities', ids: id })).entities[id]
const values = (entity, pid) => (entity.claims[pid] || []).map(c => c.mainsnak.datavalue?.value)

const steps = [
  ['log in', async () => {
    const auth = await wbEdit.getAuthData()()
    assert.ok(auth.token.endsWith('+\\') && auth.token.length === 42, auth.token)
  }],
  ['create an item with every datatype, a qualifier and two references', async () => {
    ctx.wlm = `we-${tag} "Å" id`
    ctx.label = `wikibase-edit test church ${tag}`
    const { entity } = await wbEdit.entity.create({
      type: 'item',
      labels: { en: ctx.label, sv: `${ctx.label} (sv)` },
      descriptions: { en: 'church used by the wikibase-edit scenario' },
      aliases: { en: ['WETC'] },
      claims: {
        P31: 'Q41176',
        P1435: {
          value: 'Q41176',
          qualifiers: { P580: '1890' },
          references: [{ P248: 'Q20244383', P813: '2024-05-01' }, { P854: 'https://example.org/register/2' }],
        },
        P625: { latitude: 59.3293, longitude: 18.0686, precision: 0.0001 },
        P571: '1723-06-03',
        P2186: ctx.wlm,
        P2046: { amount: 12.5, unit: '1' },
        P6375: { text: 'Storgatan 2', language: 'sv' },
        P18: 'Wikibase-edit test church.jpg',
        P373: 'Wikibase-edit test church',
        P3896: 'Data:Sweden/wikibase-edit test.map',
      },
    })
    ctx.id = entity.id
  }],
  ['read it back equal', async () => {
    const e = await getEntity(ctx.id)
    assert.equal(e.labels.en.value, ctx.label)
    assert.deepEqual(values(e, 'P31'), [{ 'entity-type': 'item', 'numeric-id': 41176, id: 'Q41176' }])
    assert.equal(values(e, 'P2186')[0], ctx.wlm)
    assert.equal(values(e, 'P18')[0], 'Wikibase-edit test church.jpg')
    assert.equal(values(e, 'P3896')[0], 'Data:Sweden/wikibase-edit test.map')
    assert.deepEqual(values(e, 'P6375')[0], { text: 'Storgatan 2', language: 'sv' })
    assert.equal(values(e, 'P2046')[0].amount, '+12.5')
    assert.equal(values(e, 'P571')[0].time, '+1723-06-03T00:00:00Z')
    assert.equal(values(e, 'P625')[0].latitude, 59.3293)
    const heritage = e.claims.P1435[0]
    assert.equal(heritage.references.length, 2)
    assert.ok(heritage.references.every(r => /^[0-9a-f]{40}$/.test(r.hash)))
    assert.equal(heritage.qualifiers.P580[0].datavalue.value.precision, 9)
  }],
  ['edit label, description, aliases and sitelink with the dedicated actions', async () => {
    await wbEdit.label.set({ id: ctx.id, language: 'de', value: `${ctx.label} (de)` })
    await wbEdit.description.set({ id: ctx.id, language: 'sv', value: 'kyrka i wikibase-edit-scenariot' })
    await wbEdit.alias.add({ id: ctx.id, language: 'en', value: 'wikibase-edit church' })
    await wbEdit.alias.remove({ id: ctx.id, language: 'en', value: 'WETC' })
    await wbEdit.sitelink.set({ id: ctx.id, site: 'svwiki', title: ctx.label })
    const e = await getEntity(ctx.id)
    assert.equal(e.labels.de.value, `${ctx.label} (de)`)
    assert.equal(e.descriptions.sv.value, 'kyrka i wikibase-edit-scenariot')
    assert.deepEqual(e.aliases.en.map(a => a.value), ['wikibase-edit church'])
    assert.equal(e.sitelinks.svwiki.title, ctx.label)
  }],
  ['add, change and remove a claim', async () => {
    const { claim } = await wbEdit.claim.create({ id: ctx.id, property: 'P17', value: 'Q34' })
    await wbEdit.claim.update({ guid: claim.id, newValue: 'Q41176' })
    await wbEdit.claim.set({ guid: claim.id, property: 'P17', value: 'Q127448' })
    let e = await getEntity(ctx.id)
    assert.equal(values(e, 'P17')[0].id, 'Q127448')
    await wbEdit.claim.remove({ guid: claim.id })
    e = await getEntity(ctx.id)
    assert.equal(e.claims.P17, undefined)
  }],
  ['add, change and remove a qualifier and a reference', async () => {
    const guid = (await getEntity(ctx.id)).claims.P31[0].id
    const q = await wbEdit.qualifier.set({ guid, property: 'P580', value: '1900' })
    const qHash = q.claim.qualifiers.P580[0].hash
    const q2 = await wbEdit.qualifier.set({ guid, hash: qHash, property: 'P580', value: '1901' })
    const q2Hash = q2.claim.qualifiers.P580[0].hash
    const r = await wbEdit.reference.set({ guid, snaks: { P854: 'https://example.org/source/3' } })
    let e = await getEntity(ctx.id)
    assert.equal(e.claims.P31[0].qualifiers.P580[0].datavalue.value.time, '+1901-00-00T00:00:00Z')
    assert.equal(e.claims.P31[0].references[0].hash, r.reference.hash)
    await wbEdit.qualifier.remove({ guid, hash: q2Hash })
    await wbEdit.reference.remove({ guid, hash: r.reference.hash })
    e = await getEntity(ctx.id)
    assert.equal(e.claims.P31[0].qualifiers, undefined)
    assert.equal(e.claims.P31[0].references, undefined)
  }],
  ['search with haswbstatement (quoted identifier with spaces and non-ASCII)', async () => {
    const escaped = ctx.wlm.replace(/\\/g, '\\\\').replace(/"/g, '\\"')
    const res = await api({ action: 'query', list: 'search', srsearch: `haswbstatement:"P2186=${escaped}"` })
    assert.deepEqual(res.query.search.map(h => h.title), [ctx.id])
  }],
  ['list revisions and contributions', async () => {
    const revs = await api({ action: 'query', prop: 'revisions', titles: ctx.id, rvlimit: 'max', rvprop: 'ids|timestamp|user|comment' })
    const page = Object.values(revs.query.pages)[0]
    assert.ok(page.revisions.length >= 10, page.revisions.length)
    const contribs = await api({ action: 'query', list: 'usercontribs', ucuser: 'Wlkit', uclimit: 50 })
    assert.ok(contribs.query.usercontribs.some(c => c.title === ctx.id))
  }],
  ['merge two items', async () => {
    const a = (await wbEdit.entity.create({ type: 'item', labels: { en: `wikibase-edit merge source ${tag}` } })).entity.id
    const b = (await wbEdit.entity.create({ type: 'item', labels: { en: `wikibase-edit merge target ${tag}` } })).entity.id
    const res = await wbEdit.entity.merge({ from: a, to: b })
    assert.equal(res.success, 1)
    const got = (await api({ action: 'wbgetentities', ids: a })).entities
    assert.deepEqual(got[b].redirects, { from: a, to: b })
  }],
]

let passed = 0
for (const [name, fn] of steps) {
  try {
    await fn()
    passed++
    console.log(`ok   ${name}`)
  } catch (err) {
    console.log(`FAIL ${name}: ${err.message}`)
    console.error(err)
  }
}
console.log(`${passed}/${steps.length} steps`)
process.exit(passed === steps.length ? 0 : 1)
