namespace Newsstand.Records;

/// <summary>A row of one of the ten record tables: the caller supplies its integer key.</summary>
public interface ITableRecord
{
    int Id { get; }
}
