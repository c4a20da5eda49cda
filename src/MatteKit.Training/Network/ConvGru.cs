using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace MatteKit.Training.Network;

/// <summary>
/// RVM's convolutional GRU: reset and update gates from <c>[x, h]</c>, candidate from <c>[x, r*h]</c>,
/// <c>h' = (1 - z) h + z c</c>; the output is the new state. Steps through the time axis of <c>[B, T, C, H, W]</c>.
/// </summary>
internal sealed class ConvGru : Module<Tensor, Tensor?, (Tensor Output, Tensor State)>
{
    // Children are registered by hand under the official keys; the default would add every field again under its C# name.
    protected override void RegisterComponents() { }

    private readonly long _channels;
    private readonly Module<Tensor, Tensor> _ih, _hh;

    public ConvGru(long channels) : base(nameof(ConvGru))
    {
        _channels = channels;
        _ih = Sequential(("0", Conv2d(channels * 2, channels * 2, 3, padding: 1)), ("1", Sigmoid()));
        _hh = Sequential(("0", Conv2d(channels * 2, channels, 3, padding: 1)), ("1", Tanh()));
        register_module("ih", _ih);
        register_module("hh", _hh);
    }

    public override (Tensor Output, Tensor State) forward(Tensor x, Tensor? h)
    {
        h ??= zeros(x.shape[0], x.shape[2], x.shape[3], x.shape[4], dtype: x.dtype, device: x.device);
        var outputs = new List<Tensor>();
        foreach (var xt in x.unbind(1))
        {
            var gates = _ih.forward(cat(new[] { xt, h }, 1)).split(_channels, 1);
            var (r, z) = (gates[0], gates[1]);
            var c = _hh.forward(cat(new[] { xt, r * h }, 1));
            h = (1 - z) * h + z * c;
            outputs.Add(h);
        }
        return (stack(outputs, 1), h);
    }
}
