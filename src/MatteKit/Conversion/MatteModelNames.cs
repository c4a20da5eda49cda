namespace MatteKit.Conversion;

/// <summary>The models' names as users write them (rvm, selfie, selfie-landscape), for messages and summaries.</summary>
internal static class MatteModelNames
{
    public static string Of(MatteModel model) => model switch
    {
        MatteModel.Selfie => "selfie",
        MatteModel.SelfieLandscape => "selfie-landscape",
        _ => "rvm",
    };
}
