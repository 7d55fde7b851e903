import type { Net } from './kinds.js';

/**
 * The train.py written beside model.py for the kinds that train on a data file of their own: a
 * character model on a text, a forecaster on a CSV series. It continues training the exported
 * weights with PyTorch DistributedDataParallel, one process per device under torchrun (gloo on
 * CPU, NCCL on CUDA GPUs), reads the data as recur's task reads it (vocabulary, scalers, lookback,
 * columns and seasonal anchor all come from the metadata model.py carries), and has rank 0 write
 * weights that `recur import` reads back. The Python is held in String.raw blocks so that its
 * backslashes stay what Python sees; none of it uses `${`, so nothing in it is interpolated.
 */
interface KindScript {
  /** What the data argument is, and what training reads from it: the docstring's middle. */
  about: string;
  /** Example command-line options after the data path. */
  usage: string;
  /** Standard-library imports beyond the common ones. */
  imports: string[];
  /** DATA_HELP, DEFAULTS, add_arguments and class Data. */
  body: string;
}

const TEXT: KindScript = {
  about: `Data: what \`recur text train\` reads: a UTF-8 text file, or a folder of them (name order, joined by
blank lines; only the .abc files when there are any). Characters outside the model's vocabulary are read as <unk>.
Training is recur's: the text, less its last --val-fraction (held out), is cut into processes x --batch contiguous
streams; each step reads the next --seq characters of every stream from the state the previous chunk ended in
(truncated backpropagation through time). Each process reads its own streams (every world-th one).`,
  usage: '--steps 2000 --batch 32 --sample 200 --prime "The "',
  imports: ['math'],
  body: String.raw`
DATA_HELP = 'a UTF-8 text file, or a folder of them (as recur text train reads it)'
DEFAULTS = {'lr': 2e-3, 'batch': 32, 'clip': 5.0, 'val_fraction': 0.05, 'batch_help': 'streams per process'}


def add_arguments(p):
    p.add_argument('--seq', type=int, default=None, help="characters per chunk (default: the model's own)")
    p.add_argument('--sample', type=int, default=0, metavar='N',
                   help='then print N characters of greedy sample (temperature 0), as JSON, like recur text sample')
    p.add_argument('--prime', default='', help='the text the sample starts from')


def read_text(path):
    """The text as recur reads it: a file, or a folder's files in name order joined by blank lines (only the .abc
    files when there are any, so that a folder of tunes is not read with its notes)."""
    if not os.path.exists(path):
        fail(f'{path}: no such file or folder')
    files = [path]
    if os.path.isdir(path):
        names = sorted(f for f in os.listdir(path) if not f.startswith('.') and os.path.isfile(os.path.join(path, f)))
        if any(f.lower().endswith('.abc') for f in names):
            names = [f for f in names if f.lower().endswith('.abc')]
        files = [os.path.join(path, f) for f in names]
    parts = []
    for f in files:
        # newline='' keeps \r\n as it is: recur reads every character, line ends included
        with open(f, encoding='utf-8-sig', newline='') as fh:
            parts.append(fh.read())
    text = '\n\n'.join(parts)
    if not text.strip():
        fail(f'{path}: the text is empty')
    return text


def encode(text, tokens):
    """Ids (int64) of the text's characters; those outside the vocabulary become <unk>, as in recur."""
    cps = np.frombuffer(text.encode('utf-32-le'), dtype=np.uint32)
    found, inverse = np.unique(cps, return_inverse=True)
    index = {t: i for i, t in enumerate(tokens)}
    unk = index.get('<unk>', -1)
    table = np.array([index.get(chr(c), unk) for c in found], dtype=np.int64)
    if (table < 0).any():
        fail(f'the text has {chr(found[np.argmax(table < 0)])!r}, which the vocabulary lacks, and it has no <unk>')
    return table[inverse]


class Data:
    """A text cut into streams, as recur text train cuts it; loss() reads the next chunk of this process's streams."""

    def __init__(self, args, meta, rank, world, device):
        ids = encode(read_text(args.data), meta['vocab']['tokens'])
        self.vocab, self.device, self.seq = meta['vocab'], device, args.seq or meta['seq']
        n_val = max(self.seq + 1, int(len(ids) * args.val_fraction)) if args.val_fraction > 0 else 0
        self.val, train = ids[len(ids) - n_val:], ids[:len(ids) - n_val]
        S = world * args.batch
        n = len(train) // S
        if n < self.seq + 1:
            fail(f'{args.data}: {len(train)} characters to train on; {world} processes x --batch {args.batch} streams '
                 f'of --seq {self.seq} + 1 need at least {S * (self.seq + 1)}')
        streams = torch.from_numpy(train[:S * n].reshape(S, n))
        self.streams = streams[rank::world].contiguous()  # (B, n): this process's share
        self.pos, self.state = 0, None

    def loss(self, net):
        """Cross-entropy of the next chunk, read from the state the previous one ended in (detached)."""
        T = self.seq
        if self.pos + T + 1 > self.streams.shape[1]:  # the end of the streams: a new pass, from a zero state
            self.pos, self.state = 0, None
        chunk = self.streams[:, self.pos:self.pos + T + 1].t().contiguous().to(self.device)  # (T + 1, B)
        self.pos += T
        logits, state = net(chunk[:-1], self.state)
        self.state = tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()
        return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), chunk[1:].reshape(-1))

    @torch.no_grad()
    def validate(self, model):
        """Nats per character on the held-out tail, read in up to 32 parallel parts with the state carried."""
        if len(self.val) < 2:
            return None
        model.eval()
        S = max(1, min(32, (len(self.val) - 1) // self.seq))
        n = len(self.val) // S
        parts = torch.from_numpy(self.val[:S * n].reshape(S, n)).t().contiguous().to(self.device)  # (n, S)
        state, total = None, 0.0
        for a in range(0, n - 1, self.seq):
            b = min(a + self.seq, n - 1)
            logits, state = model(parts[a:b], state)
            y = parts[a + 1:b + 1].reshape(-1)
            total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y, reduction='sum').item()
        v = total / ((n - 1) * S)
        return f'validation: {v:.4f} nats/char (perplexity {math.exp(v):.2f}) on the last {len(self.val)} characters'

    @torch.no_grad()
    def greedy(self, model, prime, length):
        """recur text sample --temperature 0: feed the prime's known characters (else a newline, else the first
        symbol after the specials), then take the most likely symbol that is not a special, feeding each back."""
        tokens, specials = self.vocab['tokens'], self.vocab['specials']
        index = {t: i for i, t in enumerate(tokens)}
        start = [c for c in prime if c in index and c not in specials]
        start = start or ['\n' if '\n' in index else tokens[len(specials)]]
        drawable = torch.tensor([t not in specials for t in tokens], device=self.device)
        model.eval()
        logits, state = model(torch.tensor([[index[c]] for c in start], device=self.device))
        out = []
        for _ in range(length):
            i = int(logits[-1, 0].masked_fill(~drawable, -math.inf).argmax())  # ties: the first, as in recur
            out.append(tokens[i])
            logits, state = model(torch.tensor([[i]], device=self.device), state)
        return ''.join(out)

    def report(self, model, args):
        if args.sample > 0:
            print('sample: ' + json.dumps(self.greedy(model, args.prime, args.sample)), flush=True)
`,
};

/** The series part: CSV and dates as recur reads them. */
const SERIES_READ = String.raw`
DATA_HELP = "a CSV file with the model's columns and a header row (as recur forecast train reads it)"
DEFAULTS = {'lr': 3e-3, 'batch': 32, 'clip': 1.0, 'val_fraction': 0.15, 'batch_help': 'windows per process'}
MISSING = {'', 'na', 'nan', 'n/a', 'null', 'none', '?', '.'}
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
TIME = r'(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?'
YMD = re.compile(r'(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2})' + TIME + ')?')
MDY = re.compile(r'(\d{1,2})/(\d{1,2})/(\d{4})' + TIME)


def add_arguments(p):
    p.add_argument('--stride', type=int, default=1, help='steps between consecutive training windows')
    p.add_argument('--forecast', action='store_true',
                   help='then print the forecast after the last row, as JSON, like recur forecast predict')


def js_round(x):
    """Math.round: halves go up (Python's round goes to even)."""
    return math.floor(x + 0.5)


def read_table(path):
    """Header and rows; the delimiter is a comma unless the header line holds more tabs or semicolons, as in recur."""
    try:
        with open(path, encoding='utf-8-sig', newline='') as f:
            text = f.read()
    except OSError as e:
        fail(f'{path}: {e.strerror}')
    first = text.split('\n', 1)[0]
    delimiter = max([',', '\t', ';'], key=first.count)  # the first of the most frequent: ',' when none is there
    rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), delimiter=delimiter) if r]
    if len(rows) < 2:
        fail(f'{path}: expected a header row and data rows, got {len(rows)} rows')
    for i, r in enumerate(rows[1:]):
        if len(r) != len(rows[0]):
            fail(f'{path}: row {i + 2} has {len(r)} fields, expected {len(rows[0])} (as in the header)')
    return rows[0], rows[1:]


def number(cell, where):
    if cell.lower() in MISSING:
        return math.nan
    try:
        v = float(cell)
    except ValueError:
        fail(f'{where}: expected a number, got {cell!r}')
    if not math.isfinite(v):
        fail(f'{where}: expected a finite number, got {cell!r}; leave a missing value empty instead')
    return v


def parse_date(s):
    """ms since 1970 as recur reads dates: YYYY[-MM[-DD[ HH:MM[:SS[.fff]]]]] (or with /), MM/DD/YYYY, plain years;
    a time without a zone is a UTC wall clock. Other ISO forms with a zone through datetime. None if unreadable."""
    m, fields = YMD.fullmatch(s), None
    if m:
        fields = [int(m[1]), int(m[2]), int(m[3] or 1)] + list(m.groups()[3:])
    elif MDY.fullmatch(s):
        m = MDY.fullmatch(s)
        fields = [int(m[3]), int(m[1]), int(m[2])] + list(m.groups()[3:])
    elif re.fullmatch(r'\d{4}', s):
        fields = [int(s), 1, 1, None, None, None, None]
    try:
        if fields is None:
            dt = datetime.fromisoformat(s.replace('Z', '+00:00'))
            dt = dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)
            return (dt - EPOCH) // timedelta(milliseconds=1)
        y, mo, d, h, mi, sec, frac = fields
        dt = datetime(y, mo, d, int(h or 0), int(mi or 0), int(sec or 0), tzinfo=timezone.utc)
    except ValueError:
        return None
    return (dt - EPOCH) // timedelta(milliseconds=1) + (js_round(float('0.' + frac) * 1000) if frac else 0)


def steps_between(a, b, freq):
    """Whole steps of the frequency from date a to date b, as recur counts them (calendar months by the calendar)."""
    if freq['calendarMonths'] > 0:
        da, db = EPOCH + timedelta(milliseconds=a), EPOCH + timedelta(milliseconds=b)
        return js_round(((db.year - da.year) * 12 + db.month - da.month) / freq['calendarMonths'])
    return js_round((b - a) / freq['ms'])


def dated_rows(values, dates, freq, where):
    """Rows sorted by date, with rows of missing values where the dates skip steps of a regular frequency (as recur
    inserts them); each row's place as (date of the last real row, steps after it)."""
    order = sorted(range(len(dates)), key=dates.__getitem__)
    out, at, prev = [], [], None
    for k, i in enumerate(order):
        gap = 1
        if k > 0:
            prev = dates[order[k - 1]]
            if dates[i] == prev:
                fail(f'{where}: the date in row {i + 2} appears twice')
            gap = steps_between(prev, dates[i], freq) if freq and freq['label'] != 'irregular' else 1
            if gap > max(100, 2 * len(dates)):
                fail(f'{where}: the dates jump {gap} steps before row {i + 2}; check the date column')
        out += [[math.nan] * len(values[i])] * (gap - 1) + [values[i]]
        at += [(prev, s) for s in range(1, gap)] + [(dates[i], 0)]
    return out, at


def interpolate(v, names, where):
    """Missing values filled by linear interpolation, the edges by the nearest value (recur's default policy)."""
    rows = np.arange(len(v))
    for j, name in enumerate(names):
        ok = np.isfinite(v[:, j])
        if not ok.any():
            fail(f'{where}: column {name!r} has no values at all')
        v[:, j] = np.interp(rows, rows[ok], v[ok, j])
    return v


def read_series(path, meta):
    """(values (N, F) float64, steps (N) int64 or None): the model's columns, targets first, as recur reads them;
    steps: each row's steps from the model's seasonal anchor (None: the row index is the phase, as in recur)."""
    header, rows = read_table(path)
    names, date_col = meta['columns'], meta.get('dateColumn')
    for c in names + ([date_col] if date_col else []):
        if c not in header:
            fail(f"{path}: no column {c!r}, which the model reads; the columns are {', '.join(map(repr, header))}")
    cols = [header.index(c) for c in names]
    values = [[number(r[c], f'{path}: row {i + 2}, column {header[c]!r}') for c in cols] for i, r in enumerate(rows)]
    at = None
    if date_col:
        k = header.index(date_col)
        dates = [parse_date(r[k]) for r in rows]
        for i, d in enumerate(dates):
            if d is None:
                fail(f'{path}: row {i + 2}, column {date_col!r}: expected a date, got {rows[i][k]!r}')
        values, at = dated_rows(values, dates, meta.get('frequency'), path)
    v = interpolate(np.array(values, dtype=np.float64).reshape(len(values), len(names)), names, path)
    anchor = meta['features'].get('anchor')
    if not (anchor and at):
        return v, None
    return v, np.array([steps_between(anchor['date'], d, anchor['frequency']) + s for d, s in at], dtype=np.int64)
`;

const SERIES_DATA = String.raw`
class Data:
    """Windows of a series as recur forecast train makes them (see the metadata's features: lookback, horizon,
    'level' or 'relative' scaling, seasonal phase); DistributedSampler gives each process its share of each epoch."""

    def __init__(self, args, meta, rank, world, device):
        self.meta, self.spec, self.device = meta, meta['features'], device
        self.values, self.steps = read_series(args.data, meta)
        L, H, N = self.spec['lookback'], self.spec['horizon'], len(self.values)
        self.n_out, self.quantiles = meta['arch']['targets'], meta.get('quantiles') or []
        cut = N - (max(H + 1, js_round(N * args.val_fraction)) if args.val_fraction > 0 else 0)
        self.train = np.arange(L - 1, cut - H, args.stride)  # origins whose targets all come before the cut
        self.val = np.arange(max(L - 1, cut - 1), N - H)
        if len(self.train) == 0:
            fail(f'{args.data}: {N} rows leave no training window for lookback {L} + horizon {H} '
                 f'with --val-fraction {args.val_fraction}')
        self.sampler = DistributedSampler(range(len(self.train)), num_replicas=world, rank=rank, seed=args.seed)
        self.batch, self.epoch, self.queue = args.batch, 0, []

    def windows(self, values, steps, origins):
        """Inputs (B, L, I) float32 for windows ending at the origins (B), as recur's FeatureSpec.window."""
        spec, L = self.spec, self.spec['lookback']
        idx = np.asarray(origins)[:, None] + np.arange(1 - L, 1)  # (B, L)
        w = values[idx]  # (B, L, F)
        if spec['mode'] == 'level':
            z = (w - np.array(spec['scaler']['shift'])) / np.array(spec['scaler']['scale'])
        else:
            z = (w - values[idx[:, -1]][:, None, :]) / np.array(spec['diffScale'])
        if spec['season'] >= 2:
            a = 2 * math.pi * np.mod(steps[idx] if steps is not None else idx, spec['season']) / spec['season']
            z = np.concatenate([z, np.sin(a)[..., None], np.cos(a)[..., None]], axis=-1)
        return torch.from_numpy(z.astype(np.float32)).to(self.device)

    def targets(self, origins):
        """Scaled targets (B, H * T) for the origins: horizon-major, then target column."""
        spec, T = self.spec, self.n_out
        idx = np.asarray(origins)[:, None] + np.arange(1, spec['horizon'] + 1)  # (B, H)
        y = self.values[idx][:, :, :T]
        if spec['mode'] == 'level':
            z = (y - np.array(spec['scaler']['shift'][:T])) / np.array(spec['scaler']['scale'][:T])
        else:
            z = (y - self.values[origins][:, None, :T]) / np.array(spec['diffScale'][:T])
        return torch.from_numpy(z.reshape(len(origins), -1).astype(np.float32)).to(self.device)

    def criterion(self, pred, y):
        """MSE, or the pinball loss over every quantile, as recur trains."""
        if not self.quantiles:
            return F.mse_loss(pred, y)
        q = torch.tensor(self.quantiles, dtype=pred.dtype, device=pred.device)
        e = y.unsqueeze(-1) - pred.reshape(y.shape[0], y.shape[1], len(self.quantiles))
        return torch.maximum(q * e, (q - 1) * e).mean()

    def loss(self, net):
        if not self.queue:  # a new epoch: a fresh shuffle, the same on every process, each taking its share
            self.sampler.set_epoch(self.epoch)
            self.epoch += 1
            order = list(self.sampler)
            self.queue = [order[k:k + self.batch] for k in range(0, len(order), self.batch)]
        t = self.train[self.queue.pop(0)]
        return self.criterion(net(self.windows(self.values, self.steps, t)), self.targets(t))

    @torch.no_grad()
    def validate(self, model):
        """The loss on the windows whose targets lie in the held-out tail (in scaled units)."""
        if len(self.val) == 0:
            return None
        model.eval()
        total = 0.0
        for t in np.array_split(self.val, -(-len(self.val) // 4096)):  # chunks of at most 4096 windows
            total += self.criterion(model(self.windows(self.values, self.steps, t)), self.targets(t)).item() * len(t)
        v = total / len(self.val)
        return f'validation: loss {v:.6f} on {len(self.val)} windows of the last rows'

    def unscale(self, z, values, t, j):
        """A scaled output back in the series' units, as recur's FeatureSpec.unscale (in float64)."""
        spec = self.spec
        if spec['mode'] == 'level':
            return float(z) * spec['scaler']['scale'][j] + spec['scaler']['shift'][j]
        return values[t, j] + float(z) * spec['diffScale'][j]

    @torch.no_grad()
    def forecast(self, model):
        """recur forecast predict: point forecasts (H, T), horizon-major, after the last row; a quantile model's
        median; a recursive model runs H times, each step's forecast of every column appended and read back."""
        model.eval()
        meta, t = self.meta, len(self.values) - 1
        Q, H, T = max(1, len(self.quantiles)), meta['horizon'], meta['nTargets']
        mid = self.quantiles.index(0.5) if self.quantiles else 0
        hist = np.concatenate([self.values, np.zeros((H, self.values.shape[1]))])
        steps = None if self.steps is None else np.concatenate([self.steps, self.steps[-1] + np.arange(1, H + 1)])
        if meta['mode'] == 'direct':
            out = model(self.windows(hist, steps, [t]))[0].cpu().numpy()
            return [self.unscale(out[i * Q + mid], hist, t, i % T) for i in range(H * T)]
        point = []
        for h in range(H):
            out = model(self.windows(hist, steps, [t + h]))[0].cpu().numpy()
            for j in range(hist.shape[1]):
                hist[t + h + 1, j] = self.unscale(out[j * Q + mid], hist, t + h, j)
            point += hist[t + h + 1, :T].tolist()
        return point

    def report(self, model, args):
        if args.forecast:
            targets = self.meta['columns'][:self.meta['nTargets']]
            print('forecast: ' + json.dumps({'targets': targets, 'point': self.forecast(model)}), flush=True)
`;

const SERIES: KindScript = {
  about: `Data: a CSV file with the model's columns (targets first, then covariates) and, when the model was trained
on dates, its date column: rows are sorted by date, date gaps become rows, and missing values are interpolated, as
\`recur forecast train\` does by default; the seasonal phase is counted from the model's anchor date (without dates,
from the file's first row, so give the file from the row training started at). The scalers stay the model's.
Training: windows of the model's lookback, every --stride steps, their targets before the last --val-fraction of
the rows (held out); MSE, or the pinball loss of a quantile model. DistributedSampler shares out each epoch.
One series per file (recur's --group and --id collections are not read); numbers as Python reads them (a decimal
comma, which recur can read, is an error here).`,
  usage: '--steps 2000 --batch 64 --forecast',
  imports: ['csv', 'io', 'math', 're', 'from datetime import datetime, timedelta, timezone',
    'from torch.utils.data.distributed import DistributedSampler'],
  body: SERIES_READ + SERIES_DATA,
};

const COMMON = String.raw`
HERE = os.path.dirname(os.path.abspath(__file__))


def fail(message):
    """One line and a non-zero exit, as recur's CLI reports a wrong path or column (no traceback)."""
    raise SystemExit(f'train.py: {message}')


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('data', help=DATA_HELP)
    p.add_argument('--model', default=os.path.join(HERE, 'model.safetensors'),
                   help='the weights to start from (default: the exported model.safetensors beside train.py)')
    p.add_argument('--out', default='trained.safetensors', help='where rank 0 writes the trained weights')
    p.add_argument('--steps', type=int, default=1000, help='optimizer steps (default %(default)s)')
    p.add_argument('--lr', type=float, default=DEFAULTS['lr'], help='Adam learning rate (default %(default)s)')
    p.add_argument('--batch', type=int, default=DEFAULTS['batch'],
                   help=DEFAULTS['batch_help'] + ' (default %(default)s)')
    p.add_argument('--clip', type=float, default=DEFAULTS['clip'],
                   help='gradient clipping, global norm (default %(default)s)')
    p.add_argument('--val-fraction', type=float, default=DEFAULTS['val_fraction'],
                   help='last part of the data held out, its loss printed at the end (0: none; default %(default)s)')
    p.add_argument('--log-every', type=int, default=50, help='print the training loss every N steps')
    p.add_argument('--seed', type=int, default=0, help='data order and dropout')
    p.add_argument('--cpu', action='store_true', help='gloo on the CPU even where CUDA GPUs are')
    add_arguments(p)
    args = p.parse_args()
    for name in ('steps', 'batch', 'log_every', 'seq', 'stride'):
        v = getattr(args, name, 1)
        if v is not None and v < 1:
            p.error(f"--{name.replace('_', '-')}: expected a positive integer, got {v}")
    if not 0 <= args.val_fraction < 0.5:
        p.error(f'--val-fraction: expected a value in [0, 0.5), got {args.val_fraction}')
    return args


def setup(cpu):
    """(rank, world size, device). Under torchrun: one process per device, NCCL on CUDA GPUs (by LOCAL_RANK),
    gloo on the CPU. Run plainly (python3 train.py): one process, no process group."""
    cuda = torch.cuda.is_available() and not cpu
    if 'WORLD_SIZE' not in os.environ:
        return 0, 1, torch.device('cuda' if cuda else 'cpu')
    local = int(os.environ.get('LOCAL_RANK', '0'))
    if cuda:
        torch.cuda.set_device(local)
    dist.init_process_group('nccl' if cuda else 'gloo')
    return dist.get_rank(), dist.get_world_size(), torch.device('cuda', local) if cuda else torch.device('cpu')


def average(x, world, device):
    """x averaged over the processes: every process calls this at the same steps."""
    t = torch.tensor([float(x)], device=device)
    if world > 1:
        dist.all_reduce(t)  # a sum: gloo has no average
    return t.item() / world


def save(model, path):
    """The weights with recur's metadata (model.py's save), written beside path and renamed over it, so that a
    reader never sees half a file."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f'{path}.tmp{os.getpid()}'
    model.save(tmp)
    os.replace(tmp, path)


def train(model, net, data, args, rank, world, device):
    """Adam with global-norm clipping, as recur trains; net is model in DDP, which averages the processes' gradients
    during backward(), so every process takes the same step."""
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    model.train()
    for step in range(1, args.steps + 1):
        loss = data.loss(net)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        if step == 1 or step % args.log_every == 0 or step == args.steps:
            mean = average(loss.detach(), world, device)
            if rank == 0:
                print(f'step {step}/{args.steps}: training loss {mean:.6f} (mean of {world} processes)', flush=True)


def main():
    args = parse_args()
    rank, world, device = setup(args.cpu)
    torch.manual_seed(args.seed + rank)  # dropout masks differ by process; the weights all come from the file
    if not os.path.isfile(args.model):
        fail(f'{args.model}: no such file (--model: the exported weights)')
    model = Model.from_file(args.model).to(device)
    data = Data(args, model.meta, rank, world, device)
    ids = None if device.index is None else [device.index]
    net = model if world == 1 else DistributedDataParallel(model, device_ids=ids)
    train(model, net, data, args, rank, world, device)
    if rank == 0:
        line = data.validate(model)
        if line:
            print(line, flush=True)
        save(model, args.out)
        print(f'weights written to {args.out}; into recur: recur import --from {args.out} --out MODEL', flush=True)
        data.report(model, args)
    if world > 1:
        dist.barrier()  # the others wait for rank 0's file before torchrun reports success
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
`;

const KINDS: Record<string, KindScript> = { 'char-lm': TEXT, forecaster: SERIES };

/** The train.py for a network, or null for kinds it does not train (denoiser, classifier, conditional generator). */
export function torchTrainScript(n: Net): string | null {
  const k = KINDS[n.kind];
  if (k === undefined) return null;
  // the standard library first, then numpy and torch: the usual order of Python imports
  const from = (pkg: string) => k.imports.filter((i) => i.startsWith(`from ${pkg}`));
  const stdlib = ['argparse', 'json', ...k.imports.filter((i) => !i.startsWith('from ')), 'os']
    .sort().map((i) => `import ${i}`).concat(from('datetime'));
  const torchFrom = ['from torch.nn.parallel import DistributedDataParallel', ...from('torch')];
  return `"""Continues training the exported recur ${n.kind} model (model.safetensors) with PyTorch
DistributedDataParallel, and writes weights that \`recur import\` reads back.

    torchrun --standalone --nproc_per_node=4 train.py DATA ${k.usage}
    recur import --from trained.safetensors --out trained-model.safetensors

One process per device: gloo on CPUs, NCCL where CUDA GPUs are (one GPU per process); across machines, torchrun
--nnodes=N --rdzv-backend=c10d --rdzv-endpoint=HOST:PORT. \`python3 train.py DATA\` runs one process. --batch is per
process, so the global batch is processes x --batch; only rank 0 writes --out (a temporary file, then a rename).
Debian's torch 1.13 under Python 3.11 cannot parse torchrun's default --redirects: add --redirects 1 --tee 1.

${k.about}
Adam and global-norm clipping as recur trains; the optimizer starts afresh (a model file holds no optimizer state).
Written by \`recur export --format torch\` beside model.py; needs torch and numpy only.
"""
${stdlib.join('\n')}

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
${torchFrom.join('\n')}

from model import ${n.className} as Model
${k.body}${COMMON}`;
}
