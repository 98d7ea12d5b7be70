using Microsoft.ML;
using Microsoft.ML.Data;

namespace Lstm.MLNet;

/// <summary>
/// The forecaster's output: the input's columns followed by Forecast, LowerBound and UpperBound, whose values were
/// computed in one ordered pass over the input (on first use). Rows keep the input's order; cannot shuffle.
/// </summary>
internal sealed class AppendedForecastDataView : IDataView
{
    private readonly IDataView _input;
    private readonly Lazy<LstmForecast[]> _forecasts;
    private readonly int _inputColumns;

    public AppendedForecastDataView(IDataView input, DataViewSchema schema, Lazy<LstmForecast[]> forecasts)
    {
        _input = input;
        Schema = schema;
        _forecasts = forecasts;
        _inputColumns = schema.Count - 3;
    }

    public bool CanShuffle => false;
    public DataViewSchema Schema { get; }
    public long? GetRowCount() => _input.GetRowCount();

    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
    {
        var needed = columnsNeeded.ToArray();
        var inputNeeded = needed.Where(c => c.Index < _inputColumns).Select(c => _input.Schema[c.Index]).ToArray();
        bool forecastsNeeded = needed.Any(c => c.Index >= _inputColumns);
        return new Cursor(this, _input.GetRowCursor(inputNeeded), needed.Select(c => c.Index).ToHashSet(), forecastsNeeded ? _forecasts.Value : null);
    }

    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null) =>
        [GetRowCursor(columnsNeeded, rand)];

    private sealed class Cursor(AppendedForecastDataView parent, DataViewRowCursor input, HashSet<int> active, LstmForecast[]? forecasts) : DataViewRowCursor
    {
        public override DataViewSchema Schema => parent.Schema;
        public override long Position => input.Position;
        public override long Batch => input.Batch;
        public override bool MoveNext() => input.MoveNext();
        public override ValueGetter<DataViewRowId> GetIdGetter() => input.GetIdGetter();
        public override bool IsColumnActive(DataViewSchema.Column column) => active.Contains(column.Index);

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
        {
            if (!active.Contains(column.Index))
                throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made.");
            if (column.Index < parent._inputColumns) return input.GetGetter<TValue>(parent._input.Schema[column.Index]);
            if (typeof(TValue) != typeof(VBuffer<float>))
                throw new InvalidOperationException($"Column '{column.Name}' is {column.Type}; asked for {typeof(TValue).Name}.");
            int which = column.Index - parent._inputColumns;
            ValueGetter<VBuffer<float>> getter = (ref VBuffer<float> value) =>
            {
                var forecast = forecasts![Position];
                var source = which switch { 0 => forecast.Forecast, 1 => forecast.LowerBound, _ => forecast.UpperBound };
                var editor = VBufferEditor.Create(ref value, source.Length);
                source.AsSpan().CopyTo(editor.Values);
                value = editor.Commit();
            };
            return (ValueGetter<TValue>)(Delegate)getter;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) input.Dispose();
            base.Dispose(disposing);
        }
    }
}
