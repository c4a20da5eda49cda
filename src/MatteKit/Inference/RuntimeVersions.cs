using System.Reflection;
using MatteKit.Media.Ffmpeg;
using Microsoft.ML.OnnxRuntime;

namespace MatteKit.Inference;

/// <summary>What a bug report needs to know: MatteKit's version, the ONNX Runtime it runs on, ffmpeg, the default model.</summary>
internal static class RuntimeVersions
{
    /// <summary>MatteKit's package version (informational version, without the source revision).</summary>
    public static string MatteKit
    {
        get
        {
            var assembly = typeof(RuntimeVersions).Assembly;
            var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? assembly.GetName().Version?.ToString() ?? "unknown";
            int plus = version.IndexOf('+');
            return plus > 0 ? version[..plus] : version;
        }
    }

    /// <summary>The native ONNX Runtime library's own version.</summary>
    public static string OnnxRuntime => OrtEnv.Instance().GetVersionString();

    /// <summary>The model used without <c>--weights</c>.</summary>
    public const string DefaultModel = "RVM MobileNetV3, official TF.js graph model (uint8-quantised, fast guided filter), embedded";

    /// <summary>The first line of <c>ffmpeg -version</c>, or why there is none.</summary>
    public static string Ffmpeg => FfmpegTools.Version();
}
