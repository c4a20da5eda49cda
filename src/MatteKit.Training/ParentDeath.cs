using System.Runtime.InteropServices;

namespace MatteKit.Training;

/// <summary>
/// When <c>mattekit train</c> started this program (it names itself in <see cref="ParentVariable"/>), the kernel is
/// asked to send SIGTERM here when it dies (Linux's <c>prctl(PR_SET_PDEATHSIG)</c>), so that a <c>kill -9</c> of
/// it does not leave the trainer running as an orphan: SIGTERM stops training gracefully, checkpoint written.
/// Chosen over watching the parent's pid because the kernel delivers it at once, with no thread polling, and
/// it arrives even while the main thread is inside a libtorch operation (the signal thread takes it).
/// </summary>
internal static class ParentDeath
{
    public const string ParentVariable = "MATTEKIT_TRAIN_PARENT";

    private const int PrSetPdeathsig = 1, SigTerm = 15;

    /// <summary>
    /// Arms the signal; false when the parent that started this program is already gone (it died before the
    /// signal was armed, and this process was adopted by another).
    /// </summary>
    public static bool Arm()
    {
        if (!OperatingSystem.IsLinux() || !int.TryParse(Environment.GetEnvironmentVariable(ParentVariable), out int parent)) return true;
        if (Prctl(PrSetPdeathsig, SigTerm, 0, 0, 0) != 0) return true; // not available: nothing more to do than before
        return GetParentPid() == parent;
    }

    [DllImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static extern int Prctl(int option, ulong arg2, ulong arg3, ulong arg4, ulong arg5);

    [DllImport("libc", EntryPoint = "getppid")]
    private static extern int GetParentPid();
}
