using PushGateway.Testing;

namespace PushGateway.Tests.Infrastructure;

/// <summary>One redis-server for every test class in the collection.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis";
}
