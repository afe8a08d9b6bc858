"""The judge on the bundled library: claims, questions, evidence, reasons, and where vectors come from."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from rag.answers.answer import answer, answer_stream
from rag.check.verdicts import check_file
from rag.errors import LitrevError
from rag.grounding.model import load
from rag.grounding.names import names
from rag.index.library import Library
from rag.index.sentence_vectors import SentenceVectors
from tests.openai_server import ScriptedServer
from tests.test_generate import llm_library

DRAFT = "\n".join(
    [
        r"\section{Related work}",
        "Initialising the amplitude spectrum with a pseudo-inverse of the mel filter lets a vocoder run "
        "almost twice as fast as APNet2 with about half the parameters~\\cite{freev}.",
        "An encoder-only CTC model trained on 180k hours of public audio is three to four times faster than "
        "its encoder-decoder counterpart~\\cite{owsmctc}.",
        "A one-billion-parameter autoregressive TTS model trained on a hundred thousand hours of "
        "public-domain speech shows emergent prosody~\\cite{basetts}.",
        "Skipping layers in a batch-friendly way speeds up OPT inference between two- and five-fold with "
        "negligible loss~\\cite{skipdecode}.",
        "A CTC encoder-only model is ten times faster than its encoder-decoder counterpart~\\cite{owsmctc}.",
    ]
)
BIB = "".join(
    f"@article{{{key}, title={{{title}}}}}\n"
    for key, title in [
        ("freev", "FreeV: Free Lunch For Vocoders Through Pseudo Inversed Mel Filter"),
        (
            "owsmctc",
            "OWSM-CTC: An Open Encoder-Only Speech Foundation Model for Speech Recognition, Translation, "
            "and Language Identification",
        ),
        (
            "basetts",
            "BASE TTS: Lessons from building a billion-parameter Text-to-Speech model on 100K hours of data",
        ),
        (
            "skipdecode",
            "SkipDecode: Autoregressive Skip Decoding with Batching and Caching for Efficient LLM Inference",
        ),
    ]
)
PARD = "PARD: Accelerating LLM Inference with Low-Cost PARallel Draft Model Adaptation"


def paper(library: Library, title: str):
    return next(p for p in library.store.iter_papers() if p.title == title)


def test_the_draft_of_paraphrased_citations_gets_four_supported_and_the_wrong_figure_flagged(
    bundled: Library, tmp_path: Path
) -> None:
    (tmp_path / "draft.tex").write_text(DRAFT, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    report = check_file(tmp_path / "draft.tex", tmp_path / "refs.bib", library=bundled)
    verdicts = {s.line: s.citations[0].verdict for s in report.sentences if s.citations}
    assert verdicts == {2: "supported", 3: "supported", 4: "supported", 5: "supported", 6: "unsupported"}
    wrong = next(s for s in report.sentences if s.line == 6).citations[0]
    assert wrong.reason and "ten times" in wrong.reason  # the reason names the figure it did not find
    assert "3 to 4 times faster" in (wrong.evidence or "")  # and shows what the abstract says


def test_the_two_questions_are_answered_from_the_sentences_that_state_the_figures(bundled: Library) -> None:
    largest = answer(
        "How many parameters does the largest model in the open family of autoregressive image generators "
        "have?",
        library=bundled,
    )
    assert not largest.abstained
    assert "300M to 1.5B" in largest.citations[0].sentence
    fid = answer(
        "What reconstruction FID does the open replication of Google's MAGVIT-v2 tokenizer reach on "
        "ImageNet?",
        library=bundled,
    )
    assert not fid.abstained
    assert "1.17 rFID" in fid.citations[0].sentence


def test_a_sentence_contradicting_its_abstract_is_unsupported(bundled: Library) -> None:
    pard = paper(bundled, PARD)
    said = "PARD enables low-cost adaptation of autoregressive draft models into parallel draft models."
    denied = (
        "PARD cannot enable low-cost adaptation of autoregressive draft models into parallel draft models."
    )
    supported, contradicted = bundled.judge.support_all([(said, [pard]), (denied, [pard])])
    assert supported.supported and not contradicted.supported
    assert contradicted.reason.startswith("The cited abstract says otherwise")
    assert contradicted.evidence is not None and "enables low-cost adaptation" in contradicted.evidence.text


def test_a_contradicting_model_sentence_never_reaches_the_answer(bundled: Library) -> None:
    question = "How does PARD adapt draft models?"
    marker = next(e.rank for e in answer(question, library=bundled, k=8).evidence if e.title == PARD)
    with ScriptedServer() as server:
        library = llm_library(bundled, server.url)
        server.enqueue(
            text="PARD enables low-cost adaptation of autoregressive draft models into parallel draft models "
            f"[{marker}]. "
            f"PARD cannot enable low-cost adaptation of autoregressive draft models [{marker}]."
        )
        events = list(answer_stream(question, library=library, k=8))
    final = events[-1]
    checks = {check.text: check for check in final.sentences}
    assert [c.supported for c in checks.values()] == [True, False]
    assert "cannot" not in final.answer and "enables low-cost adaptation" in final.answer


def test_a_question_about_a_detail_the_abstract_omits_abstains(bundled: Library) -> None:
    result = answer("How many GPUs were used to train the Medusa heads?", library=bundled)
    assert result.abstained and result.reason == "not-stated"


NOT_STATED = [
    # an amount of data in hours, where the abstract gives only shares or a ">10x" cut
    "How many hours of speech was TouchTTS trained on?",
    "How many hours of conversational speech was Pheme trained on?",
    # a model size, where the abstract counts training tokens ("9.7 billion tokens")
    "How many parameters does RedWhale have?",
    # training settings no abstract states
    "What learning rate was used to fine-tune CarelessWhisper?",
    "Which optimizer and learning rate were used to train EAGLE's draft model?",
    # a named thing the abstract leaves unnamed ("a speech SSL model", "two established SLU datasets")
    "Which self-supervised model are MaskGCT's semantic tokens extracted from?",
    "Which two SLU datasets were used to evaluate COCONUT?",
    "Which dataset was Music2Latent2 trained on?",
    # a condition the paper does not report (its speed-up is for LLaMA3.1-8B)
    "What speedup does PARD achieve on Llama-2-13B?",
]
STATED = [
    ("How many hours of public audio was OWSM-CTC trained on?", "180k hours"),
    ("How many hours of speech was BASE TTS trained on?", "100K hours"),
    ("What range of parameter sizes do the LLaMA-Omni 2 models span?", "0.5B to 14B"),
    ("What speedup does PARD achieve on LLaMA3.1-8B?", "4.08x"),
    ("How many times quicker does SPACE make LLM inference on HumanEval-X?", "2.7x-4.0x"),
    ("What word error rates does Llama-AVSR reach on LRS3?", "0.81%"),
    ("Which two datasets were used to evaluate ParaLip?", "GRID and TCD-TIMIT"),
    ("Which open-source LLMs were used as target models for Clover-2?", "Vicuna 7B"),
]


@pytest.mark.parametrize("question", NOT_STATED)
def test_a_detail_or_condition_no_abstract_states_is_refused(bundled: Library, question: str) -> None:
    result = answer(question, library=bundled)
    assert result.abstained and result.reason == "not-stated", result.answer


def test_a_figure_given_for_other_conditions_is_said_missing_for_the_asked_ones(bundled: Library) -> None:
    """PARD states a speed-up, for LLaMA3.1-8B: the abstention says which speed-up is not stated
    instead of saying that none is."""
    result = answer("What speedup does PARD achieve on Llama-2-13B?", library=bundled)
    assert result.abstained
    assert "none of their abstracts states a speed-up for “Llama-2-13B”." in result.answer


PROPOSED_ELSEWHERE = [
    # the library has VALL-E R and papers comparing with VALL-E, not VALL-E's own paper
    "Which paper proposed VALL-E?",
    # only Clover-2, "an advanced iteration of Clover"
    "Which paper introduced the original Clover draft model?",
    # only a "Mamba-based" decoder for ASR
    "Which paper proposed the Mamba state space model?",
    # an adverb before the verb still asks for the paper that proposed it
    "Which paper originally proposed VALL-E?",
]


@pytest.mark.parametrize("question", PROPOSED_ELSEWHERE)
def test_a_paper_presenting_a_successor_did_not_propose_the_original(bundled: Library, question: str) -> None:
    result = answer(question, library=bundled)
    assert result.abstained, result.answer


def test_a_method_the_paper_calls_its_own_is_its_proposal(bundled: Library) -> None:
    """Moshi's abstract names Inner Monologue only as 'this "Inner Monologue" method', after
    describing it: a paper that says "this X" or "our X" presents X."""
    question = (
        "Which paper first proposed the Inner Monologue approach, where time-aligned text is predicted "
        "ahead of the audio?"
    )
    result = answer(question, library=bundled)
    assert not result.abstained, result.answer
    assert result.citations[0].title.startswith("Moshi")


def test_a_successor_is_found_by_its_own_name(bundled: Library) -> None:
    result = answer("Which paper introduced Clover-2?", library=bundled)
    assert not result.abstained
    assert result.citations[0].title.startswith("Clover-2")


def test_a_benchmark_named_in_a_condition_does_not_choose_the_paper(bundled: Library) -> None:
    """SPACE (semi-autoregressive fine-tuning, auto-correct decoding) reports speed-ups on HumanEval-X;
    M2R2, another paper, reports one on MT-Bench. Asked about SPACE on MT-Bench, the answer is not
    M2R2's figure."""
    described = "the semi-autoregressive fine-tuning plus auto-correct decoding approach"
    refused = answer(f"What speedup does {described} report on MT-Bench?", library=bundled)
    assert refused.abstained, refused.answer
    stated = answer(f"What speedup does {described} report on HumanEval-X?", library=bundled)
    assert not stated.abstained
    assert stated.citations[0].title.startswith("Generation Meets Verification"), stated.citations[0].title
    assert "2.7x-4.0x" in stated.citations[0].sentence


def test_a_refused_training_setting_is_named_as_asked(bundled: Library) -> None:
    result = answer("What learning rate was used to fine-tune CarelessWhisper?", library=bundled)
    assert result.abstained
    assert result.answer.startswith(
        "Your library has papers on CarelessWhisper, but none of their abstracts states the learning rate."
    )


@pytest.mark.parametrize(("question", "stated"), STATED)
def test_the_same_kinds_of_question_are_answered_where_the_abstract_states_them(
    bundled: Library, question: str, stated: str
) -> None:
    result = answer(question, library=bundled)
    assert not result.abstained
    assert stated in result.citations[0].sentence


NEAR_FIELD = [
    "How many parameters does the largest model in the open family of video generators have?",
    "How many hours of audio was Whisper trained on?",
    "What MOS does FastSpeech 2 achieve?",
    "Which dataset was Music2Latent2 trained on?",
    "How does the Zipformer encoder downsample its intermediate sequences?",
    "How many GPUs were used to train the streaming speech codec that brings semantic distillation?",
    "Which paper introduced Medusa decoding with multiple draft heads?",
]


@pytest.mark.parametrize("question", NEAR_FIELD)
def test_an_abstention_names_only_noun_phrases_of_the_question(bundled: Library, question: str) -> None:
    result = answer(question, library=bundled)
    if not result.abstained or result.reason == "off-topic":
        return
    named = re.search(r"(?:papers on|does not cover) (.+?)(?:, but|: none)", result.answer)
    if named is None:  # no topic named at all
        assert result.answer.startswith("The papers closest to this question do not state"), result.answer
        return
    allowed = set(names(question))
    for part in re.split(r", | and ", named.group(1)):
        quoted = part.strip("“”")
        if quoted != part:  # the subject phrase, quoted in the user's own words
            assert quoted in question and quoted.split()[0].lower() in ("the", "a", "an", "this"), part
        else:
            assert part in allowed, (part, result.answer)


def test_judging_reads_the_sentence_vectors_stored_at_ingest(bundled: Library) -> None:
    source = SentenceVectors(bundled.embedder, bundled.sentence_file)
    pard = paper(bundled, PARD)
    stored = source.sentences([pard])[0]
    assert source.embedded_now == 0 and len(stored.spans) == len(stored.vectors) > 3
    fresh = SentenceVectors(bundled.embedder).sentences([pard])[0]  # no index: embedded on the spot
    assert fresh.spans == stored.spans
    assert float((fresh.vectors * stored.vectors).sum(axis=1).min()) > 0.999  # float16 on disk


def test_weights_fitted_for_other_features_are_refused(tmp_path: Path) -> None:
    shipped = json.loads((Path(__file__).resolve().parents[1] / "rag" / "data" / "judge.json").read_text())
    shipped["support"]["features"] = ["something", *shipped["support"]["features"][1:]]
    path = tmp_path / "judge.json"
    path.write_text(json.dumps(shipped))
    with pytest.raises(LitrevError, match="refit them"):
        load(path)


def test_a_ranker_only_refit_reads_past_a_stale_ranker_and_keeps_the_other_models() -> None:
    """After a ranker feature is added, ``litrev bench support --fit PATH --ranker-only`` reads the
    shipped file whose ranker lacks it (the other parts still checked), refits the ranker on the
    questions' gold sentences and keeps the support and answerable models as shipped."""
    import numpy as np
    from litrev_eval.datasets import Item
    from litrev_eval.fit_judge import QuestionRows, refit_ranker

    from rag.grounding.answers import ANSWER
    from rag.grounding.model import parse, shipped_except

    data = json.loads((Path(__file__).resolve().parents[1] / "rag" / "data" / "judge.json").read_text())
    for part in ("ranker", "support"):
        stale = json.loads(json.dumps(data))
        stale[part]["features"] = stale[part]["features"][:-1]
        if part == "ranker":
            assert parse(stale, "stale.json", refitting=("ranker",)).support.features == tuple(
                data["support"]["features"]
            )
        with pytest.raises(LitrevError, match="refit them"):
            parse(stale, "stale.json", refitting=() if part == "ranker" else ("ranker",))
    # a questions-only refit reads past stale ranker and answerable parts, never a stale support part
    stale = json.loads(json.dumps(data))
    for part in ("ranker", "answerable", "support"):
        stale[part]["features"] = stale[part]["features"][:-1]
        if part != "support":
            assert parse(stale, "stale.json", refitting=("ranker", "answerable")).support.features
    with pytest.raises(LitrevError, match="the support weights"):
        parse(stale, "stale.json", refitting=("ranker", "answerable"))
    rng = np.random.default_rng(7)
    column = ANSWER.index("conditions_stated")
    questions = []
    for number in range(40):  # the gold sentence is the one that states the question's figures
        rows = rng.normal(size=(6, len(ANSWER)))
        gold = np.zeros(6, dtype=bool)
        gold[number % 6] = True
        rows[:, column] = gold.astype(float)
        item = Item(f"q{number}", number, "?", fields={})
        where = [(0, i) for i in range(6)]
        questions.append(QuestionRows(item, True, rows, where, gold, None, np.zeros(6)))
    kept = shipped_except("ranker")
    refitted = refit_ranker(questions, kept)
    assert refitted.support is kept.support and refitted.answerable is kept.answerable
    assert refitted.ranker.features == ANSWER
    assert refitted.ranker.weights[column] == max(refitted.ranker.weights)
    assert refitted.fitted["ranker"]["cv_ranker_evidence_hit"] > 0.9
    assert refitted.fitted["support"] == kept.fitted["support"]


def test_the_llm_judge_names_a_reply_that_is_no_verdict_and_a_server_that_garbles(
    bundled: Library, tmp_path: Path
) -> None:
    """A reply that is neither YES nor NO is not support, and the reason quotes it; a reply that is
    not an event stream stops `litrev check --judge llm` with one line naming the server."""
    from typer.testing import CliRunner

    from rag.cli.commands import app
    from rag.errors import GenerationError
    from rag.grounding.llm_judge import make_judge

    paper = next(iter(bundled.store.iter_papers()))
    draft, bib = tmp_path / "draft.tex", tmp_path / "refs.bib"
    draft.write_text(DRAFT, encoding="utf-8")
    bib.write_text(BIB, encoding="utf-8")
    page = "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    with ScriptedServer() as server:
        judge = make_judge(llm_library(bundled, server.url, max_retries=0), "llm")
        server.enqueue(text="Maybe\x1b]0;owned\x07, partly")
        server.enqueue(text="No.")
        odd, no = judge.support_all([("claim", [paper]), ("claim", [paper])])
        assert (
            not odd.supported
            and odd.reason == "The model replied 'Maybe, partly', not YES or NO: counted as not supported."
        )
        assert (
            not no.supported and no.reason == "The model judged that the cited abstract does not state this."
        )
        malformed = f"the model at {server.url} sent a malformed reply: an HTML page titled '502 Bad Gateway'"
        server.enqueue(raw=page, content_type="text/html")
        with pytest.raises(GenerationError) as caught:
            judge.support("claim", [paper])
        assert str(caught.value) == malformed
        for _ in range(8):
            server.enqueue(raw=page, content_type="text/html")
        env = server.cli_env(bundled.settings.home)
        result = CliRunner().invoke(app, ["check", str(draft), "--bib", str(bib), "--judge", "llm"], env=env)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [f"error: {malformed}"]
    assert result.stdout == ""


class CountingVocabulary:
    """The library's vocabulary, counting what question analysis asks of it."""

    def __init__(self, vocabulary: object) -> None:
        self.inner = vocabulary
        self.calls: dict[str, int] = {}
        self.term_texts: list[str] = []

    def _count(self, name: str) -> None:
        self.calls[name] = self.calls.get(name, 0) + 1

    def statistics(self, texts):  # the one read question analysis makes
        self._count("statistics")
        return self.inner.statistics(texts)

    def terms(self, text: str) -> list[str]:
        self._count("terms")
        self.term_texts.append(text)
        return self.inner.terms(text)

    def idf(self, term: str) -> float:
        self._count("idf")
        return self.inner.idf(term)

    def share(self, term: str) -> float:
        self._count("share")
        return self.inner.share(term)


def test_question_analysis_reads_the_vocabulary_once(bundled: Library) -> None:
    """The judge reads the library's term statistics for a question in one call, not one IDF or
    share look-up per word; the vocabulary otherwise only cuts the papers' sentences into terms."""
    from rag.grounding.judge import Judge
    from rag.retrieval.retrieve import search

    question = "What speed-up does PARD report on LLaMA3.1-8B, the largest model it was tried on?"
    counting = CountingVocabulary(bundled.lexical)
    judge = Judge(bundled.judge.sentences, counting, bundled.judge.model)
    hits = search(question, library=bundled, k=8).hits
    verdict = judge.answer(question, [(hit.paper, hit.score) for hit in hits], 0.5)
    assert verdict.answerable and hits[verdict.subject].paper.title == PARD
    assert counting.calls.get("statistics") == 1
    assert "idf" not in counting.calls and "share" not in counting.calls
    sentences = {text for hit in hits for text in [hit.paper.abstract, hit.paper.title]}
    assert question not in counting.term_texts
    assert all(any(text in whole for whole in sentences) for text in counting.term_texts)


def test_a_word_most_of_a_papers_passages_use_does_not_choose_its_passage(bundled: Library) -> None:
    """Of a paper's body passages, the judge reads the one that holds what is asked: a word that
    most passages share (what the paper is about, here "codebook" and "entries") tells them apart
    less than one only a single passage uses ("unused"), however rare both are in the library."""
    texts = [
        "Every codebook has 1024 entries and a dimension of eight.",
        "The codebook entries of each group are initialised from the first batch.",
        "A second codebook quantizes the residual, and its entries are shared across groups.",
        "A code left unused for two hundred steps is reset to a random encoder output.",
    ]
    sentences = _codec_paper(texts)
    terms = frozenset(bundled.lexical.terms("What happens to unused codebook entries?"))
    focused = sentences.focus(sentences.vectors[0], 1, terms, bundled.lexical)
    abstract = sentences.paper.abstract
    assert [focused.text(i) for i in range(len(focused.spans))] == [abstract, texts[3]]


def _codec_paper(texts: list[str]):
    """A paper with one body passage per text, all on page 2 of its method section, that the
    cosine cannot tell apart (equal vectors)."""
    import numpy as np

    from rag.grounding.evidence import PaperSentences
    from rag.sources.body_text import Passage
    from rag.sources.paper import Paper

    body = [Passage(page=2, section="3 Method", text=text) for text in texts]
    paper = Paper(id="p-codec", title="A Grouped Speech Codec", abstract="We present a speech codec.")
    spans = [(0, len(paper.abstract))] + [(0, len(text)) for text in texts]
    vectors = np.full((len(spans), 4), 0.5, dtype=np.float32)
    return PaperSentences(paper, spans, vectors, body, [-1, *range(len(texts))])


def test_a_question_reads_two_passages_the_second_scored_down_by_its_gap(bundled: Library) -> None:
    """The judge reads the two passages that come closest to a question; each sentence carries how
    far its passage came below the best (``gaps``), and the ranker's score of a sentence of the
    second passage loses :data:`FOCUS_GAP` times that: it wins only by a clear margin."""
    from rag.grounding.answers import Candidate
    from rag.grounding.judge import FOCUS_GAP, FOCUS_PASSAGES, focus_offsets

    texts = [
        "Every codebook has 1024 entries and a dimension of eight.",
        "A code left unused for two hundred steps is reset to a random encoder output.",
        "Unused codes are rare after the first epoch.",
    ]
    terms = frozenset(bundled.lexical.terms("What happens to a code left unused for two hundred steps?"))
    for held in (texts, texts[1:]):  # a paper with no more passages than are read is scored too
        sentences = _codec_paper(held)
        focused = sentences.focus(sentences.vectors[0], FOCUS_PASSAGES, terms, bundled.lexical)
        read = {focused.text(i): gap for i, gap in enumerate(focused.gaps)}
        assert set(read) == {sentences.paper.abstract, texts[1], texts[2]}  # not the first passage
        assert read[sentences.paper.abstract] == 0.0 and read[texts[1]] == 0.0 and read[texts[2]] > 0.0
        where = [(0, i) for i in range(len(focused.spans))]
        offsets = focus_offsets([Candidate(focused, 1, 1.0)], where)
        assert list(offsets) == [-FOCUS_GAP * gap for gap in focused.gaps]
        assert sentences.gaps == ()  # a paper not focused carries none


def _two_passages(sections: tuple[str, str], texts: tuple[str, str]):
    """A paper with two body passages that the cosine cannot tell apart (equal vectors)."""
    import numpy as np

    from rag.grounding.evidence import PaperSentences
    from rag.sources.body_text import Passage
    from rag.sources.paper import Paper

    body = [Passage(page=2, section=where, text=text) for where, text in zip(sections, texts, strict=True)]
    paper = Paper(id="p-drafter", title="Tree Drafting for Fast Decoding", abstract="We draft trees.")
    spans = [(0, len(paper.abstract))] + [(0, len(text)) for text in texts]
    vectors = np.full((len(spans), 4), 0.5, dtype=np.float32)
    return PaperSentences(paper, spans, vectors, body, [-1, 0, 1]), vectors[0]


def test_a_passage_that_summarises_the_paper_gives_way_to_one_of_its_method(bundled: Library) -> None:
    """Of two passages that hold the question's words alike, the judge reads the method's, not the
    introduction's: an introduction restates the paper (its abstract, always read, does) or
    describes other papers, and details are stated in the method, experiments and results."""
    texts = (
        "Our drafter grows a tree of candidate tokens and branches where it is unsure.",
        "The drafter grows a tree of candidate tokens and branches where it is unsure.",
    )
    sentences, vector = _two_passages(("1 Introduction", "3 Method"), texts)
    terms = frozenset(bundled.lexical.terms("Where does the drafter branch its tree of candidate tokens?"))
    focused = sentences.focus(vector, 1, terms, bundled.lexical)
    assert focused.body[focused.where[-1]].section == "3 Method"


def test_for_a_figure_question_the_passage_stating_a_fitting_figure_is_read(bundled: Library) -> None:
    """Of two passages alike in words and vectors, the judge reads the one with a figure that can
    answer the figure question asked (:func:`rag.grounding.answers.fits`): a learning rate near
    "learning rate", not a count of steps."""
    from rag.grounding.answers import fits
    from rag.grounding.question import analyse

    texts = (
        "The learning rate warms up over the first 4000 steps of training.",
        "The learning rate of training is 3e-4 after the first steps.",
    )
    sentences, vector = _two_passages(("4 Experiments", "4 Experiments"), texts)
    question = analyse("What learning rate was the drafter trained with?")
    terms = frozenset(bundled.lexical.terms(question.text))

    def answering(text, figure) -> bool:
        return fits(question, text, figure)

    focused = sentences.focus(vector, 1, terms, bundled.lexical, answering)
    assert focused.text(len(focused.spans) - 1) == texts[1]
    alike = sentences.focus(vector, 1, terms, bundled.lexical)  # without the figure: the first
    assert alike.text(len(alike.spans) - 1) == texts[0]


_ROWS = (
    "The rFID is 1.41 with 128 tokens per image.",
    "The rFID is 1.87 with 96 tokens per image.",
)
"""Two rows of a tokenizer's table, alike in words but for their figures."""
_AT_96 = "What rFID does the tokenizer reach with about ninety-six tokens per image?"


def test_the_passage_stating_the_figures_a_question_gives_is_read(bundled: Library) -> None:
    """Of two passages alike in words and vectors, the judge reads the one that states the figure
    the question gives as its condition ("about ninety-six tokens": 96, a number its words do not
    share), not the one reporting the same measure under another condition."""
    from rag.grounding.answers import figure_conditions
    from rag.grounding.question import analyse

    sentences, vector = _two_passages(("4 Experiments", "4 Experiments"), _ROWS)
    question = analyse(_AT_96)
    terms = frozenset(bundled.lexical.terms(question.text))
    conditions = figure_conditions(question)
    assert [(figure.low, figure.approx) for figure in conditions] == [(96.0, "about")]
    focused = sentences.focus(vector, 1, terms, bundled.lexical, conditions=conditions)
    assert focused.text(len(focused.spans) - 1) == _ROWS[1]
    alike = sentences.focus(vector, 1, terms, bundled.lexical)  # without the condition: the first
    assert alike.text(len(alike.spans) - 1) == _ROWS[0]


def test_the_ranker_prefers_the_sentence_under_the_questions_conditions(bundled: Library) -> None:
    """``conditions_stated`` reads which sentence states the figure the question gives, and the
    shipped ranker weighs it for that sentence: of two sentences alike in every other feature, the
    row of 96 tokens is scored above the row of 128."""
    import numpy as np

    from rag.grounding.answerability import question_words
    from rag.grounding.answers import ANSWER, Candidate, QuestionVectors, answer_features
    from rag.grounding.evidence import PaperSentences
    from rag.grounding.question import analyse
    from rag.sources.paper import Paper

    text = " ".join(_ROWS)
    paper = Paper(id="p-tok", title="An Adaptive Image Tokenizer", abstract=text)
    spans = [(0, len(_ROWS[0])), (len(_ROWS[0]) + 1, len(text))]
    vectors = np.full((2, 4), 0.5, dtype=np.float32)
    sentences = PaperSentences(paper, spans, vectors, [], [-1, -1])
    question = analyse(_AT_96)
    words = question_words(question, bundled.lexical)
    rows, where = answer_features(
        question, QuestionVectors(vectors[0]), [Candidate(sentences, 1, 1.0)], words, bundled.lexical
    )
    stated = rows[:, ANSWER.index("conditions_stated")]
    assert where == [(0, 0), (0, 1)]
    # each sentence's neighbour is the other: read alone, only the second states 96
    alone = [PaperSentences(paper, [span], vectors[:1], [], [-1]) for span in spans]
    single = [
        answer_features(
            question, QuestionVectors(vectors[0]), [Candidate(s, 1, 1.0)], words, bundled.lexical
        )[0]
        for s in alone
    ]
    assert [float(r[0, ANSWER.index("conditions_stated")]) for r in single] == [0.0, 1.0]
    assert stated.tolist() == [1.0, 1.0]  # a neighbour's figure counts too
    scores = bundled.judge.model.ranker.logits(np.vstack(single))
    assert scores[1] > scores[0]
