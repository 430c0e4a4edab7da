"""Packing padded texts into fewer sequences: the layout the BLIP teacher's batched path reads."""
import pytest
import torch

from vlmhoi.teachers.packing import (
    PADDING_SEGMENT,
    block_diagonal_mask,
    pack_tokens,
    texts_per_pack,
)

P = PADDING_SEGMENT


def test_pack_groups_texts_and_restarts_positions():
    ids = torch.tensor([[101, 7, 8, 102], [101, 9, 102, 0], [101, 102, 0, 0]])
    packed = pack_tokens(ids, (ids != 0).long(), group_size=2)
    # two packs of 2 texts x 4 tokens; the second pack's second text is all padding
    assert packed['packed_ids'].tolist() == [[101, 7, 8, 102, 101, 9, 102, 0],
                                             [101, 102, 0, 0, 0, 0, 0, 0]]
    assert packed['packed_positions'].tolist() == [[0, 1, 2, 3, 0, 1, 2, 3]] * 2
    assert packed['packed_segments'].tolist() == [[0, 0, 0, 0, 1, 1, 1, P],
                                                  [0, 0, P, P, P, P, P, P]]
    assert packed['packed_starts'].tolist() == [0, 4, 8]   # each text's [CLS], flattened
    one = pack_tokens(ids, (ids != 0).long(), group_size=1)
    assert one['packed_ids'].tolist() == ids.tolist()
    # a pack larger than the batch holds only the batch, not filler texts
    assert pack_tokens(ids, (ids != 0).long(), group_size=72)['packed_ids'].shape == (1, 12)


def test_packs_are_no_longer_than_the_image():
    assert texts_per_pack(image_tokens=577, text_length=8) == 72    # BLIP-base at 384 px
    assert texts_per_pack(image_tokens=37, text_length=8) == 4      # the embedded BLIP
    assert texts_per_pack(image_tokens=5, text_length=8) == 1


@pytest.mark.parametrize('dtype', [torch.float32, torch.bfloat16])
def test_mask_keeps_each_text_to_itself(dtype):
    mask = block_diagonal_mask(torch.tensor([[0, 0, 1, P, P]]), dtype)
    assert mask.shape == (1, 1, 5, 5) and mask.dtype == dtype
    allowed = mask[0, 0] == 0
    assert allowed.tolist() == [[True, True, False, False, False],
                                [True, True, False, False, False],
                                [False, False, True, False, False],
                                [False, False, False, True, True],
                                [False, False, False, True, True]]
    assert (mask[0, 0][~allowed] == torch.finfo(dtype).min).all()
    # added to attention scores, the softmax gives other texts' tokens exactly zero weight
    probs = (torch.randn(5, 5).to(dtype) + mask[0, 0]).float().softmax(dim=-1)
    assert (probs[~allowed] == 0).all()


def test_bad_input_is_refused():
    ones = torch.ones(2, 3, dtype=torch.long)
    with pytest.raises(ValueError, match='same'):
        pack_tokens(ones, torch.ones(2, 4, dtype=torch.long), 1)
    with pytest.raises(ValueError, match='no tokens'):
        pack_tokens(ones, torch.tensor([[1, 1, 0], [0, 0, 0]]), 1)
    with pytest.raises(ValueError, match='group_size'):
        pack_tokens(ones, ones, 0)
