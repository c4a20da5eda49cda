using System.Runtime.Intrinsics.X86;

namespace MatteKit.Bench;

/// <summary>
/// Nominal FP32 peak of the cores used: threads x clock x FLOP per cycle, assuming two FMA pipes of the widest
/// vector unit (AVX-512: 2 x 16 lanes x 2 = 64; AVX2+FMA: 32; otherwise SSE: 16). The clock is what
/// /proc/cpuinfo reports (nominal on a VM), so the percentage is an estimate, not a measurement.
/// </summary>
internal static class CpuPeak
{
    public static (double GflopsPerCore, string Assumption) Detect()
    {
        int flopsPerCycle = Avx512F.IsSupported ? 64 : Fma.IsSupported && Avx2.IsSupported ? 32 : 16;
        double ghz = ReadClockGhz();
        string isa = Avx512F.IsSupported ? "AVX-512" : Fma.IsSupported ? "AVX2+FMA" : "SSE";
        return (flopsPerCycle * ghz, $"{isa}, {flopsPerCycle} FP32 FLOP/cycle/core (2 FMA pipes assumed), {ghz:F2} GHz from /proc/cpuinfo");
    }

    private static double ReadClockGhz()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("cpu MHz", StringComparison.Ordinal));
            if (line is not null && double.TryParse(line.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture, out double mhz))
                return mhz / 1000;
        }
        catch (IOException)
        {
        }
        return double.NaN;
    }
}
