using PushGateway.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddPushGateway(builder.Configuration);

var app = builder.Build();
app.MapPushGateway();
app.Run();

/// <summary>The entry point, public so integration tests can host the real app.</summary>
public partial class Program;
