package dev.cooperllm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Linear;

/**
 * One transformer encoder layer: multi-head self-attention (with LoRA branches on query and value when
 * the model has them) and a GELU MLP, each with a residual connection and a LayerNorm, placed before
 * the sub-block (pre-LN) or after the residual sum (BERT post-LN). Its tensors are resolved once, from
 * the layer's name prefix.
 */
final class EncoderLayer {
    private final boolean preLayerNorm;
    private final int heads;
    private final int hidden;
    private final NDArray attentionScale;
    private final Norm attentionNorm;
    private final Projection query;
    private final Projection key;
    private final Projection value;
    private final Dense attentionOut;
    private final Norm mlpNorm;
    private final Dense intermediate;
    private final Dense output;

    /**
     * @param prefix         e.g. {@code encoder.layer.3.}
     * @param attentionScale 1/√(head dim), an array that outlives every pass (a Java scalar operand
     *                       is not safe under a gradient collector)
     */
    EncoderLayer(Params p, String prefix, Architecture arch, NDArray attentionScale) {
        this.preLayerNorm = arch.preLayerNorm();
        this.heads = arch.heads();
        this.hidden = arch.hidden();
        this.attentionScale = attentionScale;
        String self = prefix + "attention.self.";
        this.query = Projection.of(p, self + "query");
        this.key = Projection.of(p, self + "key");
        this.value = Projection.of(p, self + "value");
        this.attentionOut = Dense.of(p, prefix + "attention.output.dense");
        this.intermediate = Dense.of(p, prefix + "intermediate.dense");
        this.output = Dense.of(p, prefix + "output.dense");
        this.attentionNorm = Norm.of(p, prefix + (preLayerNorm ? "attention.LayerNorm" : "attention.output.LayerNorm"), arch);
        this.mlpNorm = Norm.of(p, prefix + (preLayerNorm ? "intermediate.LayerNorm" : "output.LayerNorm"), arch);
    }

    /** @param maskAdd {@code [B, 1, 1, T]}: 0 on tokens, a large negative number on padding */
    NDArray forward(NDArray x, NDArray maskAdd) {
        if (preLayerNorm) {
            x = x.add(attention(attentionNorm.forward(x), maskAdd));
            return x.add(mlp(mlpNorm.forward(x)));
        }
        x = attentionNorm.forward(x.add(attention(x, maskAdd)));
        return mlpNorm.forward(x.add(mlp(x)));
    }

    private NDArray attention(NDArray x, NDArray maskAdd) {
        long bs = x.getShape().get(0);
        long t = x.getShape().get(1);
        NDArray q = splitHeads(query.forward(x), bs, t).mul(attentionScale);
        NDArray k = splitHeads(key.forward(x), bs, t);
        NDArray v = splitHeads(value.forward(x), bs, t);
        NDArray probs = q.matMul(k.transpose(0, 1, 3, 2)).add(maskAdd).softmax(3);
        NDArray ctx = probs.matMul(v).transpose(0, 2, 1, 3).reshape(bs, t, hidden);
        return attentionOut.forward(ctx);
    }

    /** {@code [B, T, H]} → {@code [B, heads, T, H / heads]}. */
    private NDArray splitHeads(NDArray x, long bs, long t) {
        return x.reshape(bs, t, heads, hidden / heads).transpose(0, 2, 1, 3);
    }

    private NDArray mlp(NDArray x) {
        return output.forward(Activation.gelu(intermediate.forward(x)));
    }

    /** A query, key or value projection, with its LoRA branch where the model has one ({@code up == null}: none). */
    private record Projection(Dense base, Param down, Param up) {
        static Projection of(Params p, String name) {
            if (!p.has(name + ".lora_A")) return new Projection(Dense.of(p, name), null, null);
            return new Projection(Dense.of(p, name), p.get(name + ".lora_A"), p.get(name + ".lora_B"));
        }

        NDArray forward(NDArray x) {
            NDArray y = base.forward(x);
            if (up == null) return y;
            // LoRA with scale α/r = 1: y += (x Aᵀ) Bᵀ; B starts at zero so the model starts unchanged.
            NDArray h = Linear.linear(x, down.array()).singletonOrThrow();
            return y.add(Linear.linear(h, up.array()).singletonOrThrow());
        }
    }
}
