"""MURE relational context, attentive fusion and the cross-attention block."""
import torch

from vlmhoi.models import AttentiveFusion, CrossAttentionLayer, MultiplexRelationContext


def _mure(tiny) -> MultiplexRelationContext:
    torch.manual_seed(0)
    return MultiplexRelationContext(embed_dims=tiny.EMBED, **tiny.relation_cfg()).eval()


def _inputs(tiny, b=2, q=3, hw=5):
    torch.manual_seed(1)
    c = tiny.EMBED
    return [torch.randn(b, q, c, requires_grad=True) for _ in range(3)], \
        torch.randn(b, hw, c, requires_grad=True), torch.randn(b, hw, c)


def test_relation_embedding_shapes(tiny):
    (h, o, i), _, _ = _inputs(tiny)
    rel = _mure(tiny).relation_embeddings(h, o, i)
    n = h.shape[0] * h.shape[1]
    assert rel['unary'].shape == (n, 3, tiny.EMBED)
    assert rel['pairwise'].shape == (n, 3, tiny.EMBED)
    assert rel['ternary'].shape == (n, 1, tiny.EMBED)


def test_context_shape_and_gradients(tiny):
    (h, o, i), memory, pos = _inputs(tiny)
    mure = _mure(tiny).train()
    ctx = mure(h, o, i, memory, memory_pos=pos)
    assert ctx.shape == h.shape
    ctx.square().sum().backward()
    for t in (h, o, i, memory):
        assert t.grad is not None and t.grad.abs().sum() > 0
    no_grad = [n for n, p in mure.named_parameters() if p.grad is None or not p.grad.any()]
    assert no_grad == []


def test_context_mixes_branches_but_not_query_slots(tiny):
    """Each slot's context depends on all three branch tokens of that slot only."""
    (h, o, i), memory, pos = _inputs(tiny)
    mure = _mure(tiny)
    with torch.no_grad():
        base = mure(h, o, i, memory, memory_pos=pos)
        o2 = o.clone()
        o2[:, 1] += 1.0  # perturb the object token of slot 1
        out = mure(h, o2, i, memory, memory_pos=pos)
    changed = (out - base).abs().amax(dim=-1)  # (B, Q)
    assert (changed[:, 1] > 1e-4).all()
    assert torch.allclose(out[:, [0, 2]], base[:, [0, 2]], atol=1e-5)


def test_context_ignores_padded_memory(tiny):
    (h, o, i), memory, pos = _inputs(tiny)
    mask = torch.zeros(memory.shape[:2], dtype=torch.bool)
    mask[:, -2:] = True
    mure = _mure(tiny)
    with torch.no_grad():
        base = mure(h, o, i, memory, memory_pos=pos, memory_mask=mask)
        mem2 = memory.clone()
        mem2[:, -2:] = 100.0
        out = mure(h, o, i, mem2, memory_pos=pos, memory_mask=mask)
        unmasked = mure(h, o, i, mem2, memory_pos=pos)
    assert torch.allclose(out, base, atol=1e-5)
    assert not torch.allclose(unmasked, base, atol=1e-3)


def test_attentive_fusion_is_gated_residual(tiny):
    torch.manual_seed(0)
    fusion = AttentiveFusion(tiny.EMBED)
    feat, ctx = torch.randn(2, 3, tiny.EMBED), torch.randn(2, 3, tiny.EMBED)
    joint = torch.cat([feat, ctx], dim=-1)
    expected = feat + fusion.gate(joint) * fusion.update(joint)
    assert torch.allclose(fusion(feat, ctx), expected)
    with torch.no_grad():  # closed gate -> identity
        fusion.gate[2].weight.zero_()
        fusion.gate[2].bias.fill_(-1e4)
    assert torch.allclose(fusion(feat, ctx), feat)


def test_cross_attention_layer_shapes_and_mask(tiny):
    torch.manual_seed(0)
    layer = CrossAttentionLayer(tiny.EMBED, tiny.HEADS, tiny.FFN, dropout=0.0).eval()
    q, k = torch.randn(2, 1, tiny.EMBED), torch.randn(2, 4, tiny.EMBED)
    mask = torch.tensor([[False, False, True, True]] * 2)
    out = layer(q, k, key_padding_mask=mask)
    assert out.shape == q.shape
    k2 = k.clone()
    k2[:, 2:] = 50.0
    assert torch.allclose(layer(q, k2, key_padding_mask=mask), out, atol=1e-5)
