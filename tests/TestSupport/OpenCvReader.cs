using System.Diagnostics;

namespace MatteKit.Tests.TestSupport;

/// <summary>
/// Debian's OpenCV (python3-opencv, built with OpenEXR) as a reader independent of ffmpeg and of MatteKit: an image
/// read with <c>cv2.IMREAD_UNCHANGED</c> and written back as raw float32, channels interleaved in OpenCV's order
/// (B, G, R, A; one channel for grey).
/// </summary>
public static class OpenCvReader
{
    private const string Python = "/usr/bin/python3";

    private static readonly Lazy<bool> Present = new(() => Run("import cv2", out _) == 0);

    public static void SkipIfMissing()
        => Skip.If(!Present.Value, "Debian's OpenCV is not installed (apt-get install python3-opencv); .ci/run installs it");

    /// <summary>The image's values and channel count, as OpenCV reads them.</summary>
    public static (float[] Values, int Channels) ReadFloat(string path)
    {
        var raw = Path.GetTempFileName();
        try
        {
            string script = "import cv2, sys, numpy as np\n" +
                            "im = cv2.imread(sys.argv[1], cv2.IMREAD_UNCHANGED)\n" +
                            "assert im is not None, 'OpenCV could not read ' + sys.argv[1]\n" +
                            "np.ascontiguousarray(im, dtype=np.float32).tofile(sys.argv[2])\n" +
                            "print(1 if im.ndim == 2 else im.shape[2])\n";
            int code = Run(script, out var output, path, raw);
            Assert.True(code == 0, $"OpenCV failed on {path}: {output}");
            var values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(raw)).ToArray();
            return (values, int.Parse(output.Trim().Split('\n')[^1], System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            File.Delete(raw);
        }
    }

    private static int Run(string script, out string output, params string[] args)
    {
        try
        {
            var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(script);
            foreach (var a in args) psi.ArgumentList.Add(a);
            psi.Environment["OPENCV_IO_ENABLE_OPENEXR"] = "1";
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            output = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(60_000))
            {
                p.Kill(true);
                output += " (timed out)";
                return -1;
            }
            output += stderr.Result;
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            output = e.Message;
            return -1;
        }
    }
}
