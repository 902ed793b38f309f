"""Language codes the sandbox accepts for terms and monolingual text (a Wikidata subset)."""

from __future__ import annotations

_ISO_639_1 = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv "
    "cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr "
    "ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw "
    "ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv "
    "ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg sh si sk sl sm sn so sq "
    "sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh "
    "yi yo za zh zu"
)
_EXTRA = (
    "mul und zxx ace als ang arz ast bar bat-smg be-tarask bcl bpy bug ceb ckb crh csb de-at "
    "de-ch diq dsb en-ca en-gb es-419 ext fit frp frr fur gag gan gsw hak haw hif hsb ilo jbo "
    "kab kaa krl ksh lad lfn lij lmo ltg lzh mhr min mwl mzn nah nan nap nds nds-nl new nov nrm "
    "olo pam pap pcd pdc pfl pms pnb pt-br rmy roa-tara rue rup sah scn sco sgs sje sju sli sma "
    "smj smn sms sr-ec sr-el srn stq szl tet tly udm vec vep vls vro wuu xmf yue zea zh-cn zh-hans "
    "zh-hant zh-hk zh-tw gsw-fr nb-no se-fi se-no se-se yrk kv-fi fkv"
)
#: Accepted language codes.
LANGUAGES: frozenset[str] = frozenset((_ISO_639_1 + " " + _EXTRA).split())
