//! Every piece of text a person reads in the app, in English and Simplified Chinese, in one table.
//! A key cannot be added without both translations (the macro needs both), and a test checks
//! every character renders with the bundled fonts. Node ids and message names stay as they are
//! in both languages.

pub use crate::lang::Lang;

macro_rules! texts {
    ($($key:ident => $en:literal, $zh:literal;)*) => {
        /// A message key: one of the table's, or a protocol's own text kept in its folder
        /// (`ui/<protocol>/words.rs`), so a new protocol adds its words without touching the table.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum T {
            $($key,)*
            Own(crate::sim::words::Words),
        }

        impl T {
            /// The table's keys (each protocol's own texts are listed in its `words.rs`).
            pub const ALL: &'static [T] = &[$(T::$key),*];

            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    (T::Own(words), _) => words[lang.index()],
                    $((T::$key, Lang::En) => $en,)*
                    $((T::$key, Lang::Zh) => $zh,)*
                }
            }
        }
    };
}

texts! {
    AppTitle => "paxos-lab", "paxos-lab";
    // Menus
    MenuFile => "File", "文件";
    MenuRun => "Run", "运行";
    MenuView => "View", "视图";
    MenuLanguage => "Language", "语言";
    Quit => "Quit", "退出";
    MenuOpen => "Open…", "打开…";
    MenuSave => "Save", "保存";
    MenuSaveAs => "Save as…", "另存为…";
    MenuExportAs => "Export as…", "导出为…";
    MenuCopyLink => "Copy link", "复制链接";
    LinkCopied => "Link copied: paste it after the page's address, or open it with paxos-lab gui --link", "链接已复制：粘贴在页面地址之后，或用 paxos-lab gui --link 打开";
    NoLink => "This cannot be linked: only bundled lessons and fault scripts, and runs, have links", "无法生成链接：只有内置课程、故障脚本和运行才有链接";
    BadLink => "The link could not be opened", "无法打开该链接";
    RecentFiles => "Recent files", "最近的文件";
    NoRecentFiles => "(none yet)", "（还没有）";
    // The file dialog
    Folder => "Folder", "文件夹";
    UpFolder => "⬆ Up one folder", "⬆ 上一级文件夹";
    ChooseFile => "Choose a file from this computer…", "从这台电脑选择文件…";
    PageOpenHint => "Or drop a trace or lesson file on the page. Files you opened or saved here are listed above.", "也可以把轨迹文件或课程文件拖到页面上。在此打开或保存过的文件列在上方。";
    PageSaveHint => "In a browser, saving downloads the file.", "在网页中，保存就是下载该文件。";
    FileName => "File name", "文件名";
    OpenButton => "Open", "打开";
    SaveButton => "Save", "保存";
    ExportButton => "Export", "导出";
    ExportFormat => "Format", "格式";
    ExportFrom => "From step", "从第几步";
    ExportTo => "to step", "到第几步";
    WholeRun => "Whole run", "整个运行";
    ExportHintPng => "png: the graph at the last step of the range", "png：范围最后一步时的图";
    ExportHintGif => "gif: the graph animated over the range, for slides", "gif：在范围内播放的动画，适合幻灯片";
    ExportHintJson => "json: the run as a trace file, from step 0 to the end of the range", "json：把运行存为轨迹文件，从第 0 步到范围末尾";
    ExportHintDiagram => "svg, mermaid, shiviz: the messages and events of the range", "svg、mermaid、shiviz：范围内的消息和事件";
    Saved => "saved to {0}", "已保存到 {0}";
    Exported => "exported to {0}", "已导出到 {0}";
    Downloaded => "downloaded {0}", "已下载 {0}";
    Opened => "opened {0}", "已打开 {0}";
    DropToOpen => "Drop a trace file (.ron or .json) to open it", "松开鼠标即可打开轨迹文件（.ron 或 .json）";
    UnsavedTitle => "Unsaved run", "运行未保存";
    UnsavedBody => "This {0} run has changes that are not saved. Save them before you quit?", "这次 {0} 运行有未保存的更改。退出前要保存吗？";
    SaveAndQuit => "Save and quit", "保存并退出";
    QuitWithoutSaving => "Quit without saving", "不保存，直接退出";
    // Commands
    Play => "Play", "播放";
    Pause => "Pause", "暂停";
    StepForward => "Step", "单步前进";
    StepBack => "Back", "后退一步";
    Reset => "Reset", "重置";
    JumpToEnd => "Jump to end", "跳到末尾";
    Speed => "Speed", "速度";
    StepsPerSecond => "steps/s", "步/秒";
    NewRun => "New run…", "新的运行…";
    PresenterMode => "Presenter mode", "演示模式";
    Fullscreen => "Full screen", "全屏";
    ZoomIn => "Zoom in", "放大";
    ZoomOut => "Zoom out", "缩小";
    ZoomReset => "Actual size", "实际大小";
    DarkTheme => "Dark theme", "深色主题";
    ColorBlindPalette => "Colour-blind-safe colours", "色盲友好配色";
    RingLayout => "Ring layout", "环形布局";
    ShowDiagram => "Space-time diagram", "时空图";
    ShowInspector => "Inspector", "检查器";
    KeyboardHelp => "Keyboard shortcuts", "键盘快捷键";
    Legend => "Legend: shapes and colours", "图例：形状与颜色";
    LegendLost => "lost (dropped, link cut, or sent to a crashed node)", "丢失（被丢弃、链路切断或发往崩溃的节点）";
    LegendCrashed => "a crashed node", "崩溃的节点";
    LegendPhase2 => "a proposer in phase 2 (sending Accept)", "处于第二阶段（发送接受请求）的提议者";
    LegendCutLink => "a cut link", "被切断的链路";
    // Roles and words (the glossary in lessons/README.md)
    Proposers => "Proposers", "提议者";
    Acceptors => "Acceptors", "接受者";
    Learners => "Learners", "学习者";
    Proposer => "Proposer", "提议者";
    Acceptor => "Acceptor", "接受者";
    Learner => "Learner", "学习者";
    Crashed => "crashed", "已崩溃";
    Up => "running", "运行中";
    Ballot => "ballot", "提案编号";
    Promised => "promised", "已承诺";
    AcceptedVote => "accepted", "已接受";
    LearnedValue => "learned", "已学到";
    Nothing => "none", "无";
    Request => "client request", "客户端请求";
    PhaseIdle => "idle", "空闲";
    PhasePreparing => "phase 1: collecting promises", "第一阶段：收集承诺";
    PhaseAccepting => "phase 2: collecting votes", "第二阶段：收集接受";
    PhaseDecided => "knows its value is chosen", "已知其值被选定";
    Promises => "promises from", "承诺来自";
    Votes => "votes from", "接受来自";
    HighestSeenRound => "highest round", "最高轮次";
    Timer => "timer", "计时器";
    TimerOff => "off", "关闭";
    FiresAt => "fires at t =", "触发时刻 t =";
    Tallies => "votes heard", "收到的接受";
    // Actions on things
    Crash => "Crash", "崩溃";
    Restart => "Restart", "重启";
    FireTimeout => "Fire timeout", "触发超时";
    ProposeValue => "Propose", "提出提案";
    Value => "value", "值";
    DeliverNow => "Deliver now", "立即送达";
    DropMessage => "Drop", "丢弃";
    DuplicateMessage => "Duplicate", "复制";
    Hold => "Hold", "暂扣";
    Release => "Release", "放行";
    Held => "held", "已暂扣";
    CutLink => "Cut link", "切断链路";
    HealLink => "Heal link", "恢复链路";
    LinkIsCut => "this link is cut: messages over it are lost", "链路已切断：经过的消息会丢失";
    LinkIsUp => "this link works", "链路正常";
    MenuSelection => "Selection", "选中项";
    CutOrHealLink => "Cut / heal link", "切断 / 恢复链路";
    SelectNextNode => "Select next node", "选择下一个节点";
    SelectNextMessage => "Select next message", "选择下一条消息";
    // Lessons
    ChooseLesson => "Choose a lesson", "选择一课";
    MenuLessons => "Lessons…", "课程…";
    FlawBadge => "Flawed cluster: {0}", "有缺陷的集群：{0}";
    PromisesCount => "promises {0}/{1}", "已收到承诺 {0}/{1}";
    InFlightCount => "{0} in flight", "传输中的消息：{0}";
    NotYetPromised => "promised nothing yet", "尚未承诺";
    NotYetAccepted => "accepted nothing yet", "尚未接受";
    NotYetLearned => "learned nothing yet", "尚未学到";
    NoPromisesYet => "no promises yet", "尚未收到承诺";
    OpenSandbox => "Open the sandbox (no lesson)", "直接打开沙盒，自由实验";
    AllLessons => "All lessons", "全部课程";
    LessonStep => "Step {0} of {1}", "第 {0} 步，共 {1} 步";
    LessonNext => "Next", "下一步";
    LessonBack => "Back", "上一步";
    LessonReplay => "Replay this step", "重放本步";
    LessonWatch => "Watch:", "请观察：";
    DoPropose => "{0} is handed a request: {1}", "{0} 收到一个请求：{1}";
    DoDeliver => "{0} receives {1} from {2}", "{0} 收到来自 {2} 的 {1}";
    DoDrop => "the network loses {3}: {1} from {2} to {0}", "网络丢失了 {3}：{2} 发给 {0} 的 {1}";
    DoDuplicate => "the network copies {3}: {1} from {2} to {0}", "网络复制了 {3}：{2} 发给 {0} 的 {1}";
    DoGone => "message {0} (no longer in flight)", "消息 {0}（已不在传输中）";
    DoCrash => "{0} crashes", "{0} 崩溃";
    DoRestart => "{0} restarts", "{0} 重启";
    DoTimeout => "{0}'s timer fires", "{0} 的计时器到期";
    DoPause => "{0} pauses for {1} ticks", "{0} 暂停 {1} 个时钟周期";
    DoCut => "the link {0}–{1} is cut", "链路 {0}–{1} 被切断";
    DoHeal => "the link {0}–{1} is mended", "链路 {0}–{1} 恢复";
    DoLie => "{0} lies to {1}: it sends {2}", "{0} 向 {1} 说谎：发送 {2}";
    LessonWaiting => "Watch the run until the next thing happens.", "观察运行，直到下一件事发生。";
    LessonSandbox => "Now try it yourself: the lesson's cluster is your sandbox.", "现在自己试试吧：本课的集群就是你的沙盒。";
    Exercise => "Exercise", "练习";
    Solved => "Solved!", "完成！";
    ShowHint => "Show a hint", "显示提示";
    ShowSolution => "Show me", "演示答案";
    Quiz => "Question", "问题";
    Correct => "Correct.", "正确。";
    NotQuite => "Not quite.", "不太对。";
    NotInThisExercise => "Not in this exercise: it allows {0}.", "本练习不允许这样做：只能使用{0}。";
    ActYourself => "In this exercise you act yourself: auto-play and stepping past the end are off.", "在本练习中请亲自操作：自动播放和越过末尾的单步已关闭。";
    RunDiffers => "Your run is not the lesson's: its next steps name messages your run does not have. Go on from the lesson's own run? Yours is kept.", "你的运行与课程的不同：后面的步骤用到了你的运行中没有的消息。要从课程自己的运行继续吗？你的运行会被保留。";
    StayHere => "Stay with my run", "留在我的运行";
    RunDiffersAt => "Step {0} needs the lesson's own run.", "第 {0} 步需要课程自己的运行。";
    UseLessonRun => "Go on with the lesson's run", "用课程的运行继续";
    OpenOwnRun => "Open my run from step {0} in the sandbox", "在沙盒中打开我在第 {0} 步的运行";
    SkipUnsolved => "You have not solved this exercise yet. Skip it?", "你还没有完成这个练习。要跳过吗？";
    SkipIt => "Skip it", "跳过";
    KeepTrying => "Keep trying", "继续尝试";
    ShownNotSolved => "That was the reference solution. Replay this step to do it yourself.", "这是参考答案的演示。重放本步即可亲自完成。";
    AnswerFinal => "Your first answer counts.", "以第一次作答为准。";
    ControlPropose => "Propose", "提出提案";
    ControlDeliver => "Deliver", "送达";
    ControlDrop => "Drop", "丢弃";
    ControlDuplicate => "Duplicate", "复制";
    ControlCrash => "Crash", "崩溃";
    ControlRestart => "Restart", "重启";
    ControlTimeout => "Timeout", "超时";
    ControlLinks => "Cut or heal links", "切断或恢复链路";
    ControlLie => "Tell a lie (a Byzantine node)", "说谎（拜占庭节点）";
    ControlPause => "Pause a node", "暂停节点";
    LessonDone => "Lesson complete", "本课完成";
    // Panels
    Inspector => "Inspector", "检查器";
    NothingSelected => "Click a node, a message or a link to inspect it and act on it.", "点击节点、消息或链路以查看并操作。";
    ChangedLastStep => "changed in the last step", "上一步中发生变化";
    Message => "Message", "消息";
    From => "from", "从";
    To => "to", "到";
    SentAt => "sent at t =", "发送时刻 t =";
    ArrivesAt => "arrives at t =", "到达时刻 t =";
    Link => "Link", "链路";
    NoLongerInFlight => "This message is no longer in flight.", "该消息已不在传输中。";
    Step => "step", "步骤";
    Time => "t", "t";
    InFlight => "in flight", "传输中";
    // Safety bar
    ChosenLine => "chosen: \"{0}\" at step {1} (ballot {2}, acceptors {3})", "被选定：\"{0}\"，第 {1} 步（提案编号 {2}，接受者 {3}）";
    NothingChosen => "chosen: nothing yet", "被选定：尚无";
    LearnedLine => "{0} learned \"{1}\" at step {2}", "{0} 在第 {2} 步学到 \"{1}\"";
    NotLearned => "{0} has learned nothing", "{0} 尚未学到任何值";
    SafetyOk => "all invariants hold", "所有不变式成立";
    SafetyViolated => "VIOLATED at step {0}: {1}", "第 {0} 步违反：{1}";
    GoToStep => "Go to step {0}", "跳到第 {0} 步";
    InvAgreement => "agreement: at most one value chosen", "一致决定：至多一个值被选定";
    InvLearnedIsChosen => "learned values were chosen", "学到的值均已被选定";
    InvLearnersAgree => "learners agree", "学习者一致";
    InvOneValuePerBallot => "one value per ballot", "每个提案编号只有一个值";
    InvAcceptRespectsPromise => "no vote below a promise", "不在承诺之下接受";
    InvPromiseMonotonic => "promises never go back", "承诺从不倒退";
    ByzantineNodes => "Byzantine nodes (they may lie):", "拜占庭节点（可能说谎）：";
    ByzantineHint => "follows the rules, but may also send a message its state would not (a lie); only honest nodes are judged", "遵守规则，但也可能发送其状态不会发送的消息（说谎）；只评判诚实节点";
    LieProbability => "lie probability", "说谎概率";
    ByzantineBadge => "Byzantine", "拜占庭";
    LiesHeading => "Lies it may tell", "它可以说的谎";
    LieHideVote => "Hide my vote", "隐瞒我的投票";
    LieSecondPromise => "Promise a lower ballot too", "再承诺一个更低的提案编号";
    LieInventVote => "Claim a vote I never cast", "声称我从未投过的一票";
    LieSecondValue => "Vote for a second value", "为第二个值投票";
    LieTwoValues => "Propose a second value in my ballot", "在我的提案编号中提议第二个值";
    LieTag => "a lie", "谎言";
    MpLie => "Lie to {0}: {1}", "向 {0} 说谎：{1}";
    MpLies => "{0} lies…", "{0} 说谎…";
    NoLiesYet => "nothing to lie about yet: it has seen no ballot", "还没有可说的谎：它尚未见过任何提案编号";
    InvHonestAgreement => "agreement: honest nodes decide one value", "一致决定：诚实节点只决定一个值";
    InvValidity => "validity: only a value a client asked for is decided", "有效性：只决定客户端请求过的值";
    // Sandbox settings
    SandboxSettings => "Sandbox settings", "沙盒设置";
    Seed => "seed", "随机种子";
    Quorums => "quorums", "法定人数";
    PhaseOneQuorum => "phase 1 quorum", "第一阶段法定人数";
    PhaseTwoQuorum => "phase 2 quorum", "第二阶段法定人数";
    Majority => "majority", "多数派";
    Latency => "latency (ticks)", "延迟（时间单位）";
    TimeoutTicks => "timeout (ticks)", "超时（时间单位）";
    DropProbability => "drop probability", "丢包概率";
    DuplicateProbability => "duplicate probability", "重复概率";
    CrashProbability => "crash probability", "崩溃概率";
    RestartProbability => "restart probability", "重启概率";
    ProposeProbability => "new request probability", "新请求概率";
    Flaws => "flaws (each breaks one rule)", "缺陷（各破坏一条规则）";
    ElectionOptions => "what deployed systems add to elections:", "生产系统为选举增加的规则：";
    OptionsOn => "on: {0}", "已开启：{0}";
    ReadOptions => "how a leader answers a get:", "领导者如何回答读请求：";
    ReadsLog => "through the log", "经由日志";
    ReadsLogHint => "a get is a log entry like a write: safe whatever the clocks do", "读请求像写请求一样写入日志：无论时钟如何都安全";
    ReadsReadIndex => "ReadIndex", "读索引（ReadIndex）";
    ReadsReadIndexHint => "the leader notes its commit index, confirms it still leads with a round of heartbeats a majority answers, applies up to that index, then answers: safe whatever the clocks do", "领导者记下提交索引，用一轮得到多数派回应的心跳确认自己仍是领导者，应用到该索引后再回答：无论时钟如何都安全";
    ReadsLease => "lease", "租约";
    ReadsLeaseHint => "a leader whose heartbeats a majority answered answers alone until a little less than an election timeout after it sent them, by its own clock: safe only while clocks keep time (needs CheckQuorum)", "心跳得到多数派回应的领导者，在按自己的时钟计、发出心跳后略短于一个选举超时的时间内独自回答：只有时钟准确时才安全（需要法定人数检查）";
    ClockDrift => "clock drift (‰)", "时钟漂移（‰）";
    PauseProbability => "pause probability", "暂停概率";
    MpPause => "Pause {0} for {1} ticks", "让 {0} 暂停 {1} 个时钟周期";
    FirstConfiguration => "servers in the first configuration (0: all):", "首个配置中的服务器数（0 表示全部）：";
    FirstConfigurationHint => "S1 up to this number start in the configuration; the others wait, empty, until a change adds them (a server's menu offers it)", "从 S1 到这个编号的服务器起初在配置中；其余的服务器为空，等待配置变更把它们加入（服务器的菜单中可以发起）";
    MajorityOf => "elected {0}: {1}, sharing no server with the other majority", "选出 {0}：{1}，与另一个多数派没有共同的服务器";
    MpAddServer => "{0}: add {1} to the configuration", "{0}：把 {1} 加入配置";
    MpRemoveServer => "{0}: remove {1} from the configuration", "{0}：把 {1} 移出配置";
    ReadRounds => "reads: round {0} sent, round {1} confirmed by a majority, {2} gets waiting", "读：已发出第 {0} 轮，第 {1} 轮得到多数派确认，{2} 个读请求在等待";
    LeaseHolds => "lease holds until {0} by its clock (it reads {1})", "按它的时钟，租约持续到 {0}（它的时钟现为 {1}）";
    LeaseLapsed => "no lease (its clock reads {0})", "没有租约（它的时钟现为 {0}）";
    ClockBehind => "its clock is {0} ticks behind the world's", "它的时钟比世界时间慢 {0} 个时钟周期";
    ClockDrifts => "its clock runs {0}‰ off the world's", "它的时钟与世界时间相差 {0}‰";
    PausedUntil => "paused until tick {0}", "暂停到第 {0} 个时钟周期";
    HeardQuorum => "CheckQuorum: heard from {0} servers (a majority is {1}), heartbeat {2} of 3", "法定人数检查：已收到 {0} 台服务器的回应（多数派为 {1}），第 {2}/3 次心跳";
    LiveLeader => "counts {0} as a live leader: ignores requests to elect another", "认为 {0} 是存活的领导者：忽略选举他人的请求";
    PreVote => "Pre-Vote", "预投票（Pre-Vote）";
    PreVoteHint => "before raising its term or ballot, a server asks whether a majority would vote for it; a server cut off from a majority never raises it, so it cannot depose the leader when it comes back", "提高任期或提案编号之前，服务器先询问多数派是否会投票给它；与多数派隔开的服务器永远不会提高它，因此恢复连接时无法推翻领导者";
    CheckQuorum => "CheckQuorum", "法定人数检查（CheckQuorum）";
    CheckQuorumHint => "a leader that has not heard from a majority within an election timeout steps down; a server that hears from a live leader ignores requests to elect another", "在一个选举超时内没有收到多数派回应的领导者会下台；能收到存活领导者消息的服务器忽略选举他人的请求";
    StartNewRun => "Start new run", "开始新的运行";
    // The explorer
    CanThisBreak => "Can this break?…", "这会出错吗？…";
    ExploreTitle => "Can this break?", "这会出错吗？";
    ExploreIntro => "Tries every order of every message on this cluster, within the bounds below, and checks every safety rule in every state. It finds the shortest run that breaks a rule, or shows that none does.", "在下面的范围内，尝试这个集群中所有消息的每一种顺序，并在每个状态检查每条安全规则。它会找出破坏规则的最短运行，或者证明不存在这样的运行。";
    BallotsPerProposer => "Ballots per proposer", "每个提议者的提案编号数";
    DropsAllowed => "Messages dropped", "丢弃的消息数";
    DuplicatesAllowed => "Messages duplicated", "重复的消息数";
    CrashesAllowed => "Crashes", "崩溃次数";
    SymmetryReduction => "Treat acceptors as interchangeable (faster)", "把接受者视为可互换（更快）";
    OpsPerClient => "Requests per client", "每个客户端的请求数";
    TimeoutsPerServer => "Timeouts per server", "每个服务器的超时次数";
    TimeoutsInAll => "Timeouts in all", "超时总次数";
    RetriesPerClient => "Retries per client", "每个客户端的重试次数";
    UseRandomWalks => "Random walks instead (reach deeper runs, such as Figure 8; finding nothing proves nothing)", "改用随机游走（能到达更深的运行，如图 8；什么都没找到并不能证明安全）";
    WalksProgress => "{0} random walks", "{0} 次随机游走";
    WalkCounterexample => "Random walk {0} broke it; a run of {1} steps that breaks it, with no step to spare.", "第 {0} 次随机游走破坏了它；破坏它的运行共 {1} 步，没有多余的步骤。";
    WalksNothingFound => "{0} random walks broke nothing: no verdict (walks prove nothing). Raise a bound (operations, timeouts, retries, crashes) or search breadth first.", "{0} 次随机游走没有破坏任何规则：没有结论（随机游走不能证明安全）。请调高某个上限（操作、超时、重试、崩溃），或改用广度优先搜索。";
    StartSearch => "Search", "开始搜索";
    CancelSearch => "Cancel", "取消";
    SearchProgress => "Depth {0} · {1} states · {2} transitions", "深度 {0} · {1} 个状态 · {2} 次转换";
    SearchRaised => "The flaw needs more to show: the bounds above were raised to what it needs.", "这个缺陷需要更多条件才会出现：上面的上限已调高到所需的程度。";
    SearchRaisedWorkload => "Each client puts, then gets: a stale read shows only in a get after a put.", "每个客户端先写后读：陈旧读只会出现在写之后的读中。";
    SearchSafe => "Safe: {0} states checked, no rule broken in any of them. Safe within these bounds only: raise one to look further.", "安全：检查了 {0} 个状态，没有任何规则被破坏。仅在这些上限内安全：调高某个上限可以看得更远。";
    SearchViolation => "It can break: {0}", "会出错：{0}";
    SearchCounterexample => "Shortest run that breaks it: {0} steps.", "破坏它的最短运行：{0} 步。";
    LoadCounterexample => "Watch it", "观看这次运行";
    SearchCancelled => "Search cancelled.", "搜索已取消。";
    SearchLimit => "Stopped after {0} states without a verdict: try smaller bounds.", "检查 {0} 个状态后停止，没有结论：请缩小范围。";
    SearchFigures => "{0} states in {1} s ({2} states/s)", "{0} 个状态，用时 {1} 秒（每秒 {2} 个状态）";
    Cancel => "Cancel", "取消";
    QuorumsMayNotIntersect => "q1 + q2 ≤ n: quorums need not intersect, safety is not guaranteed", "q1 + q2 ≤ n：法定人数未必相交，无法保证安全";
    FlexibleQuorums => "Quorums (Flexible Paxos: drag them; the flaw minority-quorum fixes both)", "法定人数（Flexible Paxos：可拖动；缺陷 minority-quorum 会固定两者）";
    QuorumsMeet => "{0} + {1} > {2} acceptors: every phase-1 quorum meets every phase-2 quorum, so a new proposer always hears of a value that may be chosen. Search to prove it.", "{0} + {1} > {2} 个接受者：每个第一阶段法定人数都与每个第二阶段法定人数相交，所以新的提议者总能得知可能已被选定的值。搜索即可证明。";
    QuorumsMiss => "{0} + {1} ≤ {2} acceptors: a phase-1 quorum can miss every acceptor of a phase-2 quorum, so a new proposer may not hear of a chosen value. Search for two values chosen.", "{0} + {1} ≤ {2} 个接受者：第一阶段法定人数可能与某个第二阶段法定人数毫无交集，新的提议者可能得知不了已被选定的值。搜索两个值被选定的运行。";
    // Status
    RunEnded => "nothing left to do", "没有可执行的动作了";
    Refused => "not possible: {0}", "无法执行：{0}";
    Forked => "you changed the past: the run continues from here", "你改变了过去：运行从这里继续";
    Chosen => "chosen", "被选定";
    // The Multi-Paxos log view
    LogTitle => "Log", "日志";
    LogSlot => "slot", "槽位";
    LogHole => "hole", "空洞";
    LogNoop => "no-op", "空操作";
    // The Multi-Paxos store view
    StoreTitle => "Stores", "存储";
    StoreKey => "key", "键";
    StoreAppliedUpTo => "applied up to slot {0}", "已应用到槽位 {0}";
    StoreBehind => "{0} slots behind", "落后 {0} 个槽位";
    StoreBehindOne => "1 slot behind", "落后 1 个槽位";
    StoreAppliedUpToEntry => "applied up to [{0}]", "已应用到 [{0}]";
    StoreBehindEntries => "{0} entries behind", "落后 {0} 个条目";
    StoreBehindOneEntry => "1 entry behind", "落后 1 个条目";
    StoreDiverged => "differs from a replica at the same slot", "与应用到同一槽位的副本不同";
    StoreNoValue => "—", "—";
    StoreEmpty => "No key has a value yet.", "还没有任何键有值。";
    // Steps of a run
    StepOf => "step {0} of {1}", "第 {0} 步，共 {1} 步";
    // The Multi-Paxos workspace and the protocol picker
    Protocol => "Protocol", "协议";
    ProtocolPaxos => "Paxos (one value)", "Paxos（单个值）";
    Servers => "servers", "服务器";
    Clients => "clients", "客户端";
    Workload => "workload", "工作负载";
    WorkloadMixed => "mixed (put, get, cas)", "混合（put、get、cas）";
    WorkloadPutGet => "put then get", "先 put 后 get";
    MpWaitingOn => "{0} {1} → {2}", "{0} {1} → {2}";
    OpenCompare => "Multi-Paxos and Raft side by side", "Multi-Paxos 与 Raft 并排对比";
    CompareTitle => "Multi-Paxos and Raft, one workload, one fault script", "Multi-Paxos 与 Raft：同一负载，同一故障脚本";
    FaultScript => "fault script", "故障脚本";
    RoundOf => "round {0} of {1}", "第 {0} 轮，共 {1} 轮";
    CompareFigures => "Figures so far", "到目前为止的数据";
    CompareMapping => "What corresponds, now", "此刻的对应关系";
    NoLeader => "no leader", "无领导者";
    NotYet => "not yet", "尚未";
    MapBallotTerm => "ballot ↔ term (leader)", "提案编号 ↔ 任期（领导者）";
    MapPhase1 => "phase 1 ↔ RequestVote", "第一阶段 ↔ RequestVote";
    MapPhase2 => "phase 2 ↔ AppendEntries", "第二阶段 ↔ AppendEntries";
    MapCommit => "chosen watermark ↔ commitIndex", "已选定水位线 ↔ commitIndex";
    MapCampaigning => "{0} campaigning, {1} in flight", "{0} 个在竞选，{1} 条在途";
    MapInFlight => "{0} in flight", "{0} 条在途";
    MapDifferences => "What differs (✔ once these runs have shown it)", "不同之处（✔ 表示这些运行中已出现）";
    DiffOneLeader => "One leader per ballot by construction (a ballot names its proposer) versus one vote per server per term.", "每个提案编号天生只有一个领导者（编号中含有提议者）与每个服务器每个任期只投一票。";
    DiffLearnVsUpToDate => "A new leader learns old votes from promises versus is elected only when its log is up to date.", "新领导者从承诺中得知旧的投票，与只有日志足够新才能当选。";
    DiffHolesVsTruncation => "Holes filled with no-ops versus a conflicting suffix truncated.", "用空操作填补空洞，与截断冲突的后缀。";
    DiffFigure8 => "Old entries re-proposed in the new ballot versus committed only through a current-term entry (Figure 8: Raft lesson 3).", "旧条目在新提案编号中重新提议，与只能通过当前任期的条目提交（图 8：Raft 第 3 课）。";
    NowBallot => "ballot {0} ({1}) ↔ Raft's term {2}", "提案编号 {0}（{1}）↔ Raft 任期 {2}";
    NowTerm => "term {0} ({1}) ↔ Multi-Paxos ballot {2}", "任期 {0}（{1}）↔ 提案编号 {2}";
    NowPhase1Mp => "phase 1 (prepare) ↔ Raft's RequestVote", "第一阶段（prepare）↔ RequestVote";
    NowPhase1Raft => "RequestVote ↔ Multi-Paxos phase 1", "RequestVote ↔ 第一阶段";
    NowPhase2Mp => "phase 2 (accept) ↔ Raft's AppendEntries", "第二阶段（accept）↔ AppendEntries";
    NowPhase2Raft => "AppendEntries ↔ Multi-Paxos phase 2", "AppendEntries ↔ 第二阶段";
    NowCommitMp => "chosen up to slot {0} ↔ Raft's commitIndex {1}", "已选定至槽位 {0} ↔ commitIndex {1}";
    NowCommitRaft => "commitIndex {0} ↔ Multi-Paxos chosen up to slot {1}", "commitIndex {0} ↔ 已选定至槽位 {1}";
    NowHoles => "Differs: the new leader filled holes with no-ops (Raft has no holes: it truncates).", "不同：新领导者用空操作填补空洞（Raft 没有空洞：它截断）。";
    NowRewritten => "Differs: the new leader re-proposed old entries in its ballot (Raft commits them only through an entry of its own term).", "不同：新领导者在自己的提案编号中重新提议旧条目（Raft 只通过本任期的条目提交它们）。";
    NowTruncated => "Differs: a follower cut a conflicting suffix (Multi-Paxos fills holes instead).", "不同：跟随者截断了冲突的后缀（Multi-Paxos 则填补空洞）。";
    NowCommittedThrough => "Differs: an earlier term's entry committed only through this term's entry (Figure 8's rule).", "不同：更早任期的条目只通过本任期的条目提交（图 8 的规则）。";
    AlignTimers => "Align timers (split vote, A)", "对齐计时器（选票分裂，A）";
    AlignTimersHelp => "Every server that would campaign times out now, before any vote arrives: each votes for itself.", "所有会竞选的服务器现在同时超时，在任何选票到达之前：每个都投自己一票。";
    SpreadTimers => "Spread timers (one candidate, S)", "错开计时器（一个候选人，S）";
    SpreadTimersHelp => "Only the server whose timer is due first times out now: it campaigns alone.", "只有计时器最先到期的服务器现在超时：它独自竞选。";
    MpIdle => "idle", "空闲";
    MpQueued => "+{0} queued", "另有 {0} 个排队";
    MpRequestTitle => "Client request", "客户端请求";
    MpControls => "Controls", "控制面板";
    MpNoClients => "This run has no clients.", "这次运行没有客户端。";
    MpClient => "client", "客户端";
    MpOperation => "operation", "操作";
    MpExpected => "expected", "期望值";
    MpValue => "value", "值";
    MpSend => "Send request", "发送请求";
    DropUnsavedBody => "This {0} run has changes that are not saved, and what you asked for replaces it. Save it first?", "这次 {0} 运行有未保存的更改，你要做的操作会替换它。要先保存吗？";
    SaveThenGoOn => "Save, then go on", "先保存，再继续";
    GoOnWithoutSaving => "Go on without saving", "不保存，直接继续";
    KeepThisRun => "Keep this run", "保留当前运行";
    MpSendKey => "The P key sends it too (a clicker can).", "按 P 键也能发送（翻页器也可以）。";
    MpServersTitle => "Servers", "服务器";
    MpCrash => "Crash {0}", "让 {0} 崩溃";
    MpRestart => "Restart {0}", "重启 {0}";
    MpTimeout => "Time out {0}", "让 {0} 超时";
    MpPartitionTitle => "Partition", "网络分区";
    MpPartitionHelp => "Tick the nodes on one side, then split: every link across is cut. Heal mends every cut link.", "勾选一侧的节点，然后分区：跨越两侧的链路全部切断。修复会恢复所有被切断的链路。";
    MpSplit => "Split", "分区";
    PaneGraph => "Cluster", "集群";
    PaneNarration => "Lesson", "课程";
    PaneNoLesson => "No lesson is open: the lesson picker is in the File menu.", "没有打开的课程：课程选择在“文件”菜单中。";
    AllRulesHold => "all {0} rules hold", "全部 {0} 条规则成立";
    ResumeAt => "Resume at step {0}", "从第 {0} 步继续";
    PickerTakes => "{0} steps · complete when its {1} exercises are solved and its {2} quizzes answered right", "{0} 步 · 解出全部 {1} 道练习、答对全部 {2} 道测验即完成";
    PickerTakesOneAndOne => "{0} steps · complete when its exercise is solved and its quiz answered right", "{0} 步 · 解出这道练习、答对这道测验即完成";
    PickerTakesOne => "{0} steps · complete when its exercise is solved", "{0} 步 · 解出这道练习即完成";
    PickerTakesMany => "{0} steps · complete when its {1} exercises are solved", "{0} 步 · 解出全部 {1} 道练习即完成";
    PickerTakesManyAndOne => "{0} steps · complete when its {1} exercises are solved and its quiz answered right", "{0} 步 · 解出全部 {1} 道练习、答对这道测验即完成";
    PickerTakesOneAndMany => "{0} steps · complete when its exercise is solved and its {2} quizzes answered right", "{0} 步 · 解出这道练习、答对全部 {2} 道测验即完成";
    ResetLayout => "Reset layout", "重置布局";
    PanesTitle => "Panes", "窗格";
    ExerciseControlsTitle => "What this exercise lets you do", "本练习允许的操作";
    ExerciseNoMessage => "No message is in flight.", "没有正在传输的消息。";
    ExerciseSend => "Send {0}: {1}", "发送 {0}：{1}";
    ExercisePickSide => "Pick a side under Partition, then Split.", "在“分区”下选好一侧，再点“分区”。";
    MpHeal => "Heal", "修复";
    MpLinksCut => "{0} links cut", "{0} 条链路被切断";
    MpMessageTitle => "Selected message", "选中的消息";
    MpInFlight => "Messages in flight ({0})", "传输中的消息（{0}）";
    MpMore => "and {0} more", "还有 {0} 条";
    MpDueAt => "sent at {0}, due at {1}", "发送于 {0}，预计 {1} 到达";
    MpDeliver => "Deliver", "投递";
    MpDrop => "Drop", "丢弃";
    MpDuplicate => "Duplicate", "复制";
    MpHold => "Hold", "扣住";
    MpRelease => "Release", "放行";
    MpInspectorTitle => "Selected: {0}", "选中：{0}";
    MpSwitchProtocol => "Start a new run of the protocol picked above.", "用上面选择的协议开始新的运行。";
    MpInvExactlyOnce => "each request runs at most once", "每个请求至多执行一次";
    MpInvLinearizable => "linearizability: one order explains every answer", "线性一致性：一种顺序能解释所有回复";
    // The Multi-Paxos leader panel
    LeaderTitle => "Leader", "领导者";
    LeaderNone => "No server leads or campaigns.", "没有服务器在领导或竞选。";
    LeaderServer => "server", "服务器";
    LeaderPhase => "phase 1", "第一阶段";
    LeaderPrepared => "done: leads", "已完成：正在领导";
    LeaderPreparing => "collecting promises: {0} of {1}", "正在收集承诺：{1} 个中的 {0} 个";
    LeaderNext => "next slot", "下一个槽位";
    LeaderPhase2Only => "commands with phase 2 only", "只需第二阶段的命令";
    LeaderCommitted => "commands chosen (seen by the monitor)", "已选定的命令（监视器所见）";
    LeaderCommitIndex => "its commit index (what it knows is chosen)", "它的提交索引（它所知的已选定）";
    LeaderPerCommand => "messages per committed command", "每条已提交命令的消息数";
    // The clients' history view
    HistoryTitle => "Clients' history", "客户端历史";
    HistoryLinearizable => "linearizable", "线性一致";
    HistoryNotLinearizable => "NOT linearizable", "不是线性一致的";
    HistoryPending => "pending", "未返回";
    HistoryEmpty => "No client has sent a request yet.", "还没有客户端发出请求。";
    HistoryWhy => "{0} returned {1}, but after the {2} requests that can be ordered before it the store would answer {3}.", "{0} 返回了 {1}，但在可以排在它之前的 {2} 个请求之后，存储会回答 {3}。";
    HistoryWhyOne => "{0} returned {1}, but after the one request that can be ordered before it the store would answer {3}.", "{0} 返回了 {1}，但在可以排在它之前的那 1 个请求之后，存储会回答 {3}。";
    HistoryCrash => "{0} crashed", "{0} 崩溃";
    HistoryRestart => "{0} restarted", "{0} 重启";
    HistoryCut => "{0}–{1} cut", "{0}–{1} 断开";
    HistoryHealed => "{0}–{1} healed", "{0}–{1} 恢复";
    HistoryHealedAll => "healed", "链路全部恢复";
    HistoryHealedSome => "{0} links healed", "{0} 条链路恢复";
    HistoryPoints => "Ticks mark where each request takes effect in one order that explains every answer.", "刻度标出在一种能解释所有回复的顺序中，每个请求生效的位置。";
    LogApplied => "applied", "已应用";
    LogLeads => "leads {0}", "领导 {0}";
    LogWatermarks => "commit {0} · applied {1}", "提交 {0} · 已应用 {1}";
    LogEmpty => "The log is empty: no server has voted in any slot yet.", "日志为空：还没有服务器在任何槽位投票。";
    LogVotesTitle => "Slot {0}: each server's vote", "槽位 {0}：各服务器的投票";
    LogNoVote => "no vote", "未投票";
    LogChosenIn => "chosen: {0} (ballot {1})", "被选定：{0}（提案编号 {1}）";
    LogNotChosen => "not chosen yet", "尚未被选定";
    LogPickSlot => "Click a cell to see every server's vote in that slot.", "点击一个单元格，查看各服务器在该槽位的投票。";
    Lost => "lost", "丢失";
    CrowdInFlight => "{0} messages in flight", "传输中的消息：{0}";
    CrowdMore => "+{0} more not drawn", "另有 {0} 条未画出";
    // Keyboard help
    KeysPlay => "Space: play / pause", "空格：播放 / 暂停";
    KeysStep => "→ / ←: step forward / back", "→ / ←：前进 / 后退一步";
    KeysHomeEnd => "Home / End: start / end of the run", "Home / End：运行的开头 / 末尾";
    KeysSelected => "N / M select the next node / message; D deliver, X drop, U duplicate, H hold the selected message; C crash, R restart, T timeout the selected node; K cut or heal the selected link", "N / M 选择下一个节点 / 消息；D 送达、X 丢弃、U 复制、H 暂扣所选消息；C 崩溃、R 重启、T 触发所选节点超时；K 切断或恢复所选链路";
    KeysView => "F5 presenter mode, F11 full screen, Ctrl +/− zoom, Ctrl L language", "F5 演示模式、F11 全屏、Ctrl +/− 缩放、Ctrl L 切换语言";
}

/// Fills `{0}`, `{1}`, ... in a translated template.
pub use crate::sim::words::fill;

/// The translated name of an invariant, by its stable id.
/// `liars`: whether some node may lie (agreement is then judged on what honest nodes decide).
pub fn invariant_name(id: &str, liars: bool) -> T {
    match id {
        "agreement" if liars => T::InvHonestAgreement,
        "agreement" => T::InvAgreement,
        "learned-is-chosen" => T::InvLearnedIsChosen,
        "learners-agree" => T::InvLearnersAgree,
        "one-value-per-ballot" => T::InvOneValuePerBallot,
        "accept-respects-promise" => T::InvAcceptRespectsPromise,
        "validity" => T::InvValidity,
        _ => T::InvPromiseMonotonic,
    }
}

pub use crate::protocols::paxos::INVARIANTS;

/// What is wrong with a text's translation, if anything: an empty side, no Chinese at all
/// (only symbols and the app's name may read the same), or a placeholder in one language only
/// (a value would vanish in the other). The table's keys and each protocol's own are checked.
pub fn untranslated(t: T) -> Option<String> {
    let (en, zh) = (t.get(Lang::En), t.get(Lang::Zh));
    if en.is_empty() || zh.is_empty() {
        return Some(format!("{t:?} is empty in one language"));
    }
    // The app's name and the time variable `t` read the same in both languages.
    let symbolic = en.chars().all(|c| !c.is_alphabetic()) || [T::AppTitle, T::Time].contains(&t);
    let has_cjk = zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    if !symbolic && !has_cjk {
        return Some(format!("{t:?} has no Chinese: {zh}"));
    }
    (0..5)
        .map(|i| format!("{{{i}}}"))
        .find(|p| en.contains(p) != zh.contains(p))
        .map(|p| format!("{t:?}: placeholder {p} in one language only"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_translated_into_chinese() {
        for t in T::ALL {
            assert_eq!(untranslated(*t), None);
        }
    }

    #[test]
    fn fill_replaces_numbered_placeholders() {
        assert_eq!(fill("{1} then {0}", &[&"a", &2]), "2 then a");
    }
}
