// The ceiling the proxy's HTTP forwarding is measured against: YARP's forwarder alone, with no routing table, policies,
// health, telemetry or logging, sending every request to one destination through one pool.
//   dotnet run -c Release -- --urls http://127.0.0.1:5403 --destination http://127.0.0.1:5401
using System.Net;
using Yarp.ReverseProxy.Forwarder;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.AddHttpForwarder();
var app = builder.Build();

var destination = app.Configuration["destination"] ?? "http://127.0.0.1:5401";
var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
var pool = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    ActivityHeadersPropagator = null,
    ConnectTimeout = TimeSpan.FromSeconds(15),
});
var config = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromMinutes(5) };
app.Map("/{**path}", async context => await forwarder.SendAsync(context, destination, pool, config, HttpTransformer.Default));
app.Run();
