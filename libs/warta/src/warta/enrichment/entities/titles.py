"""Words that precede a name without being part of it (titles, honorifics, roles), folded.

"Presiden Ukraina Volodymyr Zelenskyy" -> PER "Volodymyr Zelenskyy"; "Menlu Retno" -> PER "Retno".
They are stripped from the front of person spans and give the tagger a strong "a name follows" cue.
"""

from __future__ import annotations


def _words(block: str) -> frozenset[str]:
    return frozenset(block.split())


TITLE_WORDS: frozenset[str] = _words(
    """
    presiden wapres wakil menteri menlu mendagri menkeu menhan menkes mendikbud menko mensesneg
    pemimpin kepala ketua ketum sekjen sekretaris jenderal gubernur wagub bupati wabup walikota wali
    direktur dirut komisaris kapolri kapolda kapolres kapolsek panglima kasad kasal kasau jaksa hakim
    raja ratu pangeran sultan perdana pm kanselir dubes duta juru jubir pak bu bapak ibu saudara sdr
    tuan nyonya mantan almarhum almarhumah eks calon capres cawapres caleg anggota senator legislator
    pelatih kapten manajer striker penyerang kiper bek gelandang pemain aktor aktris penyanyi
    dr drs ir prof hj h kh habib ustaz ustad kiai syekh jenderal letjen mayjen brigjen kolonel kombes
    akbp kompol iptu aiptu bripka briptu letkol mayor kapten serda sertu laksamana marsekal
    president vice minister prime chancellor secretary general governor mayor king queen prince
    princess sheikh emir senator sen rep representative congressman congresswoman gen col capt lt sgt
    adm pope paus cardinal bishop chief ceo cfo chairman chairwoman chair head leader director
    spokesman spokeswoman spokesperson foreign defense defence deputy former late mr mrs ms miss sir
    dame lord lady dr prof coach manager striker midfielder goalkeeper judge justice ambassador envoy
    premier lawmaker candidate
    bundeskanzler kanzler kanzlerin präsident präsidentin prasident ministerpräsident außenminister
    aussenminister bundespräsident président présidente ministre presidente ministro primer
    primeiro premiê premier-ministre generalsekretär
    """
)


def is_title(folded: str) -> bool:
    """A folded token that is a title, including hyphenated ones ("secretary-general", "vice-president")."""
    if folded in TITLE_WORDS:
        return True
    return "-" in folded and all(part in TITLE_WORDS for part in folded.split("-"))


# Leading words that are never part of a name but often capitalised at sentence or headline start.
LEADING_NOISE: frozenset[str] = _words(
    "para sang si the a an di ke dari pada oleh dan atau yang in at of on for to"
)
# Outside the Indonesian family only the English words count: "Dan", "Si", "Sang" are given names
# there ("Dan Froomkin"; the Indonesian set cost 3 English persons on UNER EWT dev).
LEADING_NOISE_EN: frozenset[str] = _words("the a an in at of on for to")

# Function words: capitalised, they betray a title-case headline ("Bantuan Musim Dingin Untuk Kyiv").
FUNCTION_WORDS: frozenset[str] = _words(
    """
    untuk di dan yang ke dari dengan pada dalam atau ini itu akan bagi oleh jadi soal usai saat
    the of in on for to and with at by from as is are was be after over into amid against
    """
)

# Lower-case words that may sit inside a name: "Bank of America", "Ursula von der Leyen",
# "Kementerian Pendidikan dan Kebudayaan", "Mohammed bin Salman".
NAME_CONNECTORS: frozenset[str] = _words(
    """
    of the for and on at de del della der den van von vom zu da das dos do du des la le el al bin binti
    dan untuk bagi atas di y e et und
    """
)

# Words that continue a title once one has started ("Duta Besar", "Menteri Luar Negeri", "Jaksa Agung",
# "Menteri Keuangan", "Secretary of State"); stripped only right after a title word, never on their own.
TITLE_CONTINUATIONS: frozenset[str] = _words(
    """
    besar luar dalam negeri koordinator agung utama muda madya keuangan pertahanan perdagangan
    kesehatan pendidikan agama sosial perhubungan pertanian perindustrian bumn hukum ham pariwisata
    perekonomian politik keamanan kelautan perikanan energi desa ketenagakerjaan kebudayaan
    sekretaris negara umum harian pelaksana of state affairs interior justice finance
    """
)

# Capitalised words that are never a name on their own (sentence starters, days, months): a lone
# candidate token from this list is not sent to the tagger, which would say O anyway (speed).
# Month names that are also given names ("May", "June", "April", "August") are left out on purpose.
NEVER_NAMES_ALONE: frozenset[str] = _words(
    """
    para di ia ini itu kami kita mereka dia saya anda bahkan tapi tetapi namun pada sementara sedangkan
    dalam dengan untuk dari ke oleh jika kalau karena sebab meski meskipun walaupun setelah sebelum
    saat ketika kemudian lalu selain adapun menurut sebelumnya sejak hingga sampai bagi atas agar
    senin selasa rabu kamis jumat jum'at sabtu minggu januari februari maret mei juni juli agustus
    september oktober november desember
    the a an in on at of for to and but however this that these those it he she we they i you
    monday tuesday wednesday thursday friday saturday sunday january february march july
    september october november december
    """
)
