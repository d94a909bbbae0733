using AgentGateway.Samples.Notes.Mcp;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNotesMcpServer();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapNotesMcpServer();

app.Run();
