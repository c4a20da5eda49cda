using System.Runtime.InteropServices;

namespace MatteKit.Training;

/// <summary>
/// glibc's malloc set for a training loop, whose steps free and allocate again the same activations and gradients
/// (libtorch allocates each with malloc). By default glibc returns large freed blocks to the kernel (those above its
/// mmap threshold, and the free top of the heap beyond a trim threshold it moves itself), so every step faults them in
/// again, zero-filled by the kernel: BGMv2's base step at 256x144, batch 2, took about 25,000 page faults a step and
/// a sixth of its time in the kernel (with such a setting: about 4,000, 4%). Here blocks up to 32 MB (the most glibc allows) come from the heap, and up to
/// <see cref="KeptBytes"/> of free heap stay with the process for the next step. The process's memory then stays
/// near its peak instead of shrinking between steps. Linux with glibc only; elsewhere nothing changes.
/// </summary>
internal static class NativeHeap
{
    /// <summary>Free heap memory kept rather than returned to the kernel.</summary>
    public const int KeptBytes = 512 << 20;

    private const int MmapThresholdBytes = 32 << 20;

    // glibc's malloc.h: M_TRIM_THRESHOLD, M_MMAP_THRESHOLD.
    private const int TrimThreshold = -1, MmapThreshold = -3;

    /// <summary>Sets both thresholds (fixing them stops glibc from moving them); false where that is not possible.</summary>
    public static bool KeepFreedMemory()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return Mallopt(MmapThreshold, MmapThresholdBytes) == 1 && Mallopt(TrimThreshold, KeptBytes) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false; // another C library (musl has no mallopt): its own behaviour stays
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int parameter, int value);
}
