"""Three-branch HOI decoder with relational context."""
import pytest
import torch

from vlmhoi.models import HOIDecoder


def _decoder(tiny, **kw) -> HOIDecoder:
    torch.manual_seed(0)
    cfg = dict(num_layers=2, layer_cfg=tiny.decoder_layer_cfg(), num_queries=tiny.NUM_QUERIES,
               relation_cfg=tiny.relation_cfg())
    cfg.update(kw)
    dec = HOIDecoder(**cfg)
    dec.init_weights()
    return dec


def _memory(tiny, b=2, hw=7):
    torch.manual_seed(1)
    mask = torch.zeros(b, hw, dtype=torch.bool)
    mask[1, -3:] = True
    return torch.randn(b, hw, tiny.EMBED), mask, torch.randn(b, hw, tiny.EMBED)


def test_outputs_per_layer_and_branch(tiny):
    dec = _decoder(tiny, num_layers=3)
    memory, mask, pos = _memory(tiny)
    out = dec(memory, memory_mask=mask, memory_pos=pos)
    assert set(out) == {'human', 'object', 'interaction'}
    for v in out.values():
        assert v.shape == (3, 2, tiny.NUM_QUERIES, tiny.EMBED)
    # every returned layer output is post-normalised (LayerNorm: zero mean per token)
    assert out['human'].mean(-1).abs().max() < 1e-4


def test_gradients_reach_every_parameter(tiny):
    dec = _decoder(tiny)
    memory, mask, pos = _memory(tiny)
    memory.requires_grad_(True)
    out = dec(memory, memory_mask=mask, memory_pos=pos)
    sum(v.square().sum() for v in out.values()).backward()
    no_grad = {n for n, p in dec.named_parameters() if p.grad is None or not p.grad.any()}
    # as in DETR, the first self-attention sees all-zero content (queries only enter as
    # positions), so its output is constant: these weights get no gradient in layer 0
    degenerate = {f'layers.{b}.0.{k}' for b in ('human', 'object', 'interaction')
                  for k in ('self_attn.attn.in_proj_weight', 'self_attn.attn.out_proj.weight',
                            'norms.0.weight')}
    assert no_grad == degenerate
    assert memory.grad is not None and memory.grad.abs().sum() > 0


def test_branches_exchange_context(tiny):
    """Changing the interaction queries changes the human branch (through MURE)."""
    dec = _decoder(tiny).eval()
    memory, mask, pos = _memory(tiny)
    with torch.no_grad():
        base = dec(memory, mask, pos)
        dec.query_embeddings['interaction'].weight.add_(1.0)
        out = dec(memory, mask, pos)
    # already after the first layer: its fusion injects the interaction tokens
    assert not torch.allclose(out['human'][0], base['human'][0], atol=1e-4)
    assert not torch.allclose(out['object'][-1], base['object'][-1], atol=1e-4)


@pytest.mark.parametrize('share', [False, True])
def test_fusion_sharing(tiny, share):
    dec = _decoder(tiny, num_layers=3, share_fusion=share)
    for branch in ('human', 'object', 'interaction'):
        assert len(dec.fusions[branch]) == (1 if share else 3)
    assert len(dec.layers['object']) == 3


def test_init_keeps_query_embeddings_normal(tiny):
    dec = _decoder(tiny, num_queries=200)
    w = dec.query_embeddings['human'].weight
    # nn.Embedding init is N(0, 1); xavier on (200, 32) would give std ~0.09
    assert 0.8 < w.std().item() < 1.2
