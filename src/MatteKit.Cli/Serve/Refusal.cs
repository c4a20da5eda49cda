using System.Text.Json;
using MatteKit.Cli.Web;
using Microsoft.AspNetCore.Http;

namespace MatteKit.Cli.Serve;

/// <summary>A refused request's answer: <see cref="ErrorView"/> as JSON with its status, the connection closed after it (its body may be unread).</summary>
internal sealed class Refusal(int status, string message) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
        => RequestRules.AnswerAsync(httpContext, status, "application/json", JsonSerializer.SerializeToUtf8Bytes(new ErrorView(message), JobServer.Json));
}
