"""A citation inside a manuscript sentence vouches for its part of the sentence, not for the
authors' own work around it (``rag.check.cited_spans``), on parsed drafts and the bundled library."""

from __future__ import annotations

import pytest

from rag.check.bibfile import parse_bib
from rag.check.cited_spans import cited_parts
from rag.check.manuscript import parse_draft
from rag.check.verdicts import check_draft
from rag.index.library import Library

HYDRA = "Hydra: Sequentially-Dependent Draft Heads for Medusa Decoding"
DEEP = "Deep Encoder, Shallow Decoder: Reevaluating Non-autoregressive Machine Translation"
BIB = f"@article{{hydra, title={{{HYDRA}}}}}\n@article{{deep, title={{{DEEP}}}}}\n"


@pytest.mark.parametrize(
    ("markdown", "parts"),
    [
        ("Speculative decoding is fast [@a].", [(("a",), None)]),
        ("Speculative decoding is fast [@a; @b].", [(("a", "b"), None)]),
        ("@a shows that deep encoders help translation.", [(("a",), None)]),
        (
            "Codec language models [@a] and diffusion models [@b; @c] are popular for zero-shot TTS.",
            [
                (("a",), "Codec language models are popular for zero-shot TTS."),
                (("b", "c"), "diffusion models are popular for zero-shot TTS."),
            ],
        ),
        (
            "Deep encoders help [@a], while shallow decoders are fast [@b].",
            [
                (("a",), "Deep encoders help"),
                (("b",), "shallow decoders are fast"),
            ],
        ),
        ("Unlike draft heads [@a], our method needs no extra parameters.", [(("a",), "Unlike draft heads")]),
        (
            "Our method differs from draft-head approaches [@a] in that it needs no trained parameters.",
            [(("a",), "draft-head approaches")],
        ),
        (
            "Codec language models [@a] are strong but slow, which motivates our work.",
            [(("a",), "Codec language models are strong but slow")],
        ),
        ("Speech is read as codec tokens, and we follow this practice [@a].", [(("a",), None)]),
        (
            "Masked transformers [@a] and flow models [@b] both generate audio without tokens.",
            [
                (("a",), "Masked transformers generate audio without tokens."),
                (("b",), "flow models generate audio without tokens."),
            ],
        ),
        ("Following [@a], we train with AdamW.", [(("a",), None)]),
        (  # the object of the authors' verb, not what follows its first preposition
            "Our encoder adopts the chunkwise attention with dynamic chunk sizes of [@a], so it streams.",
            [(("a",), "the chunkwise attention with dynamic chunk sizes of")],
        ),
        (  # the counting word after the enumeration's comma is dropped as well
            "Codec language models [@a], masked transformers [@b], all emit tokens one frame at a time.",
            [
                (("a",), "Codec language models emit tokens one frame at a time."),
                (("b",), "masked transformers emit tokens one frame at a time."),
            ],
        ),
    ],
)
def test_each_place_cited_vouches_for_its_part(
    markdown: str, parts: list[tuple[tuple[str, ...], str | None]]
) -> None:
    """``None``: the whole sentence (a citation at its end, one that opens it, or one whose part
    says nothing without the authors' own words)."""
    [sentence] = parse_draft(markdown, name="draft.md").sentences
    found = cited_parts(sentence.text, sentence.cites)
    assert [(p.keys, None if p.whole else p.claim) for p in found] == parts


def test_a_citation_for_a_contrast_with_the_authors_work_is_checked_on_its_part(bundled: Library) -> None:
    """ "Our method differs from draft-head approaches [@hydra] in that ...": Hydra vouches for
    draft-head approaches, which it is about, not for what the authors' method needs; judged on
    the whole sentence it would be unsupported."""
    sentence = (
        "Our method differs from draft-head approaches [@hydra] in that it requires no additional "
        "trained parameters."
    )
    report = check_draft(
        parse_draft(sentence, name="draft.md"), parse_bib(BIB), library=bundled, suggest=False
    )
    [check] = report.sentences
    [citation] = check.citations
    assert (citation.verdict, citation.claim, check.supported) == ("supported", "draft-head approaches", True)
    hydra = next(p for p in bundled.store.iter_papers() if p.title == HYDRA)
    assert not bundled.judge.support(check.text, [hydra]).supported
    assert citation.to_json()["claim"] == "draft-head approaches"
    assert 'checked against its part of the sentence: "draft-head approaches"' in report.text()


def test_two_papers_cited_for_two_parts_each_support_their_own(bundled: Library) -> None:
    """Each citation is judged on its own part: right where each part restates its paper, wrong
    where the two are swapped."""
    right = (
        "Sequentially dependent draft heads improve decoding throughput over Medusa [@hydra], while a "
        "deep encoder with a single-layer decoder outperforms non-autoregressive translation [@deep]."
    )
    swapped = right.replace("[@hydra]", "[@x]").replace("[@deep]", "[@hydra]").replace("[@x]", "[@deep]")
    bib = parse_bib(BIB)
    report = check_draft(
        parse_draft(f"{right}\n\n{swapped}\n", name="draft.md"), bib, library=bundled, suggest=False
    )
    first, second = report.sentences
    assert {c.key: c.verdict for c in first.citations} == {"hydra": "supported", "deep": "supported"}
    assert {c.key: c.verdict for c in second.citations} == {"hydra": "unsupported", "deep": "unsupported"}
    assert (first.supported, second.supported) == (True, False)
    assert all(c.claim and c.claim != first.text for c in first.citations)


def test_the_manuscript_bench_judges_each_citation_both_ways_in_one_run(bundled: Library, tmp_path) -> None:
    """``litrev bench manuscript`` compares each citation's verdict on its part and on the whole
    sentence with its label, per half."""
    import json

    from litrev_eval import bench_manuscript

    rows = [
        {
            "id": "t-1",
            "text": "Our method differs from draft-head approaches [@hydra] in that it adds no weights.",
            "cited": {"hydra": HYDRA},
            "supported": {"hydra": True},
            "pattern": "own-method-from",
        }
    ]
    path = tmp_path / "manuscript.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    figures = bench_manuscript.run(bundled, path)
    [item] = figures["items"]
    assert (item["parts"], item["whole"]) == ({"hydra": True}, {"hydra": False})
    assert figures["all"]["parts"]["agreement"] == 1.0 and figures["all"]["whole"]["agreement"] == 0.0
    assert "| all, parts | 1 | 1.000 |" in bench_manuscript.table(figures)
