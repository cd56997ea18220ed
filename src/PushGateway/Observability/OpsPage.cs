namespace PushGateway.Observability;

/// <summary>GET /ops: the operator page (wwwroot/ops.html), a live view of /stats that needs no collector and makes no outside request.</summary>
internal static class OpsPage
{
    public const string FileName = "ops.html";

    public static IResult Serve(IWebHostEnvironment environment)
    {
        var file = environment.WebRootFileProvider.GetFileInfo(FileName);
        if (!file.Exists) return Results.NotFound("ops.html is missing from wwwroot\n");
        return Results.Stream(file.CreateReadStream(), "text/html; charset=utf-8", lastModified: file.LastModified);
    }
}
