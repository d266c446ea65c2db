"""Every human-readable label of the widgets, in English and Korean (terms as in the chapter's glossary).

A widget built with `lang='ko'` sends `LABELS['ko']` to its JavaScript, which shows no text of its own.
"""

LABELS = {
    "en": {
        # shared
        "query": "query",
        "queries": "queries",
        "key": "key",
        "keys": "keys",
        "value": "value",
        "values": "values",
        "query_short": "q",
        "key_short": "k",
        "value_short": "v",
        "score": "score",
        "attention_weight": "attention weight",
        "attention_weights": "attention weights",
        "output": "output",
        "scoring": "scoring function",
        "dot": "dot product",
        "scaled_dot": "scaled dot product",
        "gaussian": "Gaussian kernel",
        "boxcar": "boxcar kernel",
        "epanechnikov": "Epanechnikov kernel",
        "temperature": "temperature",
        "bandwidth": "bandwidth",
        # QueryExplorer
        "query_x": "query x",
        "query_y": "query y",
        "button_argmax": "one-hot (arg-max)",
        "button_uniform": "uniform (average pooling)",
        "mode_softmax": "weights = softmax(score / temperature)",
        "mode_argmax": "weights = one-hot on the highest score (temperature → 0), like a database lookup",
        "mode_uniform": "weights = 1 / number of keys (temperature → ∞): average pooling",
        "hull_note": "The output is a weighted average of the values, so it always lies in their convex hull (grey).",
        # DatabaseExplorer
        "db_query": "query (a last name)",
        "lookup": "lookup",
        "exact": "exact match",
        "approximate": "approximate match",
        "soft": "soft attention over all keys",
        "last_name": "key: last name",
        "first_name": "value: first name",
        "similarity": "similarity",
        "returns": "returns",
        "no_record": "no record",
        "soft_result": "a weight on every first name",
        "similarity_note": "similarity = Dice coefficient of character pairs (bigrams), ignoring upper and lower case",
        # KernelRegressionExplorer
        "kernel": "kernel",
        "test_point": "test point",
        "test_points": "test points x",
        "training_points": "training points",
        "nw_fit": "Nadaraya–Watson estimate",
        "test_point_weights": "weights of the test point on the training points",
        "training_point": "training point",
        "test_point_row": "the test point's row of weights: one cell per training point (arrow keys)",
        "heatmap_summary": "Heatmap of the attention weights of {rows} test points (rows) on {cols} training points "
        "(columns), darker for a larger weight. The outlined row is the test point's; its weights follow cell by "
        "cell.",
        "prediction": "prediction",
        "max_weight": "largest weight",
        "no_support": "no training point inside the kernel's window, so no estimate here",
        # ProjectionExplorer
        "token": "token",
        "query_token": "query token",
        "head": "head",
        "sentence": "sentence",
        "weights_of": "attention weights of the query",
        "projection_note": "Each token's embedding x gives its query x W_q, key x W_k and value x W_v; each head uses "
        "its own slice of these projections, and the heads' outputs are joined and multiplied by W_o.",
        # challenges (utils/widgets/challenges.py): the goal above the controls, the acknowledgement and the "why"
        "challenge": "Challenge:",
        "challenge_done": "Solved! Open “Why?” below to see why it works.",
        "challenge_why": "Why?",
        "goal_database": "With the soft lookup, type a last name that is in no record (misspell one) and still give "
        "one first name more than 0.9 of the weight.",
        "why_database": "A near-miss spelling shares most character pairs (bigrams) with the right key, so that key "
        "still has the highest similarity. Softmax turns this lead into weight, and a lower temperature stretches "
        "every gap between scores: as the temperature falls, soft attention acts like the approximate lookup and "
        "picks one record.",
        "goal_query": "Give k3 more than 0.9 of the weight without lowering the temperature below 1.",
        "why_query": "With the Gaussian kernel the score is −|q − k|²/(2h²), so halving the bandwidth h multiplies "
        "every gap between scores by 4, exactly as a temperature 4 times lower would. Put q on k3 and narrow h: the "
        "nearest key takes almost all the weight. With the dot product a longer query sharpens the weights in the "
        "same way, but while the keys stay where they are it cannot lift k3 above 0.9 inside this plot; drag k3 "
        "outward along q, or the other keys away from q, and it can.",
        "goal_heatmap": "Make query 1 give exactly half of its weight to each of two keys.",
        "why_heatmap": "The queries and keys lie on a circle: query 1 sits between key 1 and key 2, nearer key 1, so "
        "the dot product and the Gaussian kernel always favour key 1. The boxcar kernel does not ask how near a key "
        "is, only whether it is within one bandwidth: with a bandwidth between about 1.04 and 2, exactly these two "
        "keys are inside, and each gets 1/2.",
        "goal_kernel_regression": "Pick a kernel with a window (boxcar or Epanechnikov) and find the smallest "
        "bandwidth at which the fit has no gaps (to within 10%).",
        "why_kernel_regression": "These kernels give weight only to training points within one bandwidth of the test "
        "point, and the fit breaks wherever no training point is that close. So the smallest bandwidth without gaps "
        "is the largest distance from a test point to its nearest training point: about half the widest gap between "
        "neighbouring training points. The Gaussian kernel never gives weight 0, so its fit has no gaps at any "
        "bandwidth.",
        "goal_projection": "Find a query token whose weights in this head are exactly those of another token. "
        "Predict it before you click.",
        "why_projection": "The two “the” tokens have the same embedding x, so they have the same query x W_q and the "
        "same weights over the keys, in every head. Self-attention on its own does not know where a token stands: a "
        "Transformer adds position information to the embeddings so that the two can differ.",
        "goal_projection_model": "With the trained parameters, type a sequence whose query (the last position) asks "
        "for the key of the row just before it, and find a head that puts more than 0.9 of the query's weight there.",
        "why_projection_model": "Training made one head compare the query's key with every earlier position's key: "
        "its query x W_q and the matching key x W_k have a large dot product, so after ÷√d_k and the softmax almost "
        "all the weight lands on that row, wherever it stands. This is the database lookup of the first section, "
        "learned. With the random parameters the same head spreads its weight.",
        # accessibility: what a screen reader hears ({key} and {weight} are filled in by the view)
        "announce_largest": "{key} now {weight}, the largest",
        "announce_tie": "{key} now {weight} each",
        "bandwidth_disabled": "only the kernel scoring functions use a bandwidth",
        "temperature_disabled": "only the soft lookup uses a temperature",
        "move_query": "the query q: the arrow keys move it",
        "move_point": "{point} at ({x}, {y}): drag it, or move it with the arrow keys",
        "parameters": "parameters",
        "trained": "trained",
        "random": "random (the same model before training)",
        "sequence_input": "input sequence (positions separated by commas)",
        "run": "run",
        "clear": "clear",
        "add_token": "add a token",
        "seq_empty": "The sequence is empty: give at least one position.",
        "seq_unknown": "Unknown token “{token}”: use only the tokens on the buttons.",
        "seq_too_long": "Too long: {count} positions, but the model has only {max}.",
        "seq_format": "Position {position} has {got} token(s); each position needs {slots} (separate positions with "
        "commas).",
        "seq_kept": "The previous sequence is still shown.",
        "query_vector": "query q",
        "weighted_sum": "weighted sum of the values Σ weight · v",
        "masked": "masked (a later position)",
        "answer": "the model's answer here",
        "probability": "probability",
        "model_note": "Each position's x is its tokens' embeddings plus a position embedding; it gives the query "
        "x W_q, key x W_k and value x W_v, each head using its own slice. A position sees only itself and earlier "
        "positions.",
    },
    "ko": {
        # shared
        "query": "쿼리",
        "queries": "쿼리",
        "key": "키",
        "keys": "키",
        "value": "값",
        "values": "값",
        "query_short": "q",
        "key_short": "k",
        "value_short": "v",
        "score": "스코어",
        "attention_weight": "어텐션 가중치",
        "attention_weights": "어텐션 가중치",
        "output": "출력",
        "scoring": "어텐션 스코어 함수",
        "dot": "내적",
        "scaled_dot": "스케일드 내적",
        "gaussian": "가우시안 커널",
        "boxcar": "박스카 커널",
        "epanechnikov": "에파네치니코프 커널",
        "temperature": "온도",
        "bandwidth": "대역폭",
        # QueryExplorer
        "query_x": "쿼리 x",
        "query_y": "쿼리 y",
        "button_argmax": "원-핫(arg-max)",
        "button_uniform": "균등(평균 풀링)",
        "mode_softmax": "가중치 = 소프트맥스(스코어 / 온도)",
        "mode_argmax": "가중치 = 스코어가 가장 높은 키에 원-핫 (온도 → 0): 데이터베이스 조회와 같습니다",
        "mode_uniform": "가중치 = 1 / 키의 개수 (온도 → ∞): 평균 풀링",
        "hull_note": "출력은 값들의 가중 평균이므로 언제나 값들의 볼록 껍질(회색) 안에 있습니다.",
        # DatabaseExplorer
        "db_query": "쿼리(성)",
        "lookup": "조회 방식",
        "exact": "정확한 매칭",
        "approximate": "근사 매칭",
        "soft": "소프트 어텐션(모든 키)",
        "last_name": "키: 성",
        "first_name": "값: 이름",
        "similarity": "유사도",
        "returns": "반환값",
        "no_record": "레코드 없음",
        "soft_result": "이름마다 가중치 하나씩",
        "similarity_note": "유사도 = 두 글자 묶음(바이그램)의 다이스 계수, 대소문자는 구별하지 않음",
        # KernelRegressionExplorer
        "kernel": "커널",
        "test_point": "테스트 점",
        "test_points": "테스트 점 x",
        "training_points": "학습 데이터 점",
        "nw_fit": "나다라야–왓슨 추정",
        "test_point_weights": "학습 데이터 점들에 대한 테스트 점의 가중치",
        "training_point": "학습 데이터 점",
        "test_point_row": "테스트 점의 가중치 행: 학습 데이터 점마다 칸 하나(화살표 키)",
        "heatmap_summary": "테스트 점 {rows}개(행)가 학습 데이터 점 {cols}개(열)에 주는 어텐션 가중치의 히트맵입니다. "
        "가중치가 클수록 진합니다. 테두리를 두른 행이 테스트 점의 행이며, 그 가중치는 뒤에 칸별로 이어집니다.",
        "prediction": "예측",
        "max_weight": "가장 큰 가중치",
        "no_support": "커널 창 안에 학습 데이터 점이 없어 이곳에서는 추정값이 없습니다",
        # ProjectionExplorer
        "token": "토큰",
        "query_token": "쿼리 토큰",
        "head": "헤드",
        "sentence": "문장",
        "weights_of": "어텐션 가중치: 쿼리",
        "projection_note": "각 토큰의 임베딩 x에서 쿼리 x W_q, 키 x W_k, 값 x W_v를 얻습니다(선형 투영). 헤드마다 "
        "이 투영의 서로 다른 부분을 쓰고, 헤드들의 출력을 이어 붙여 W_o를 곱합니다.",
        # challenges (utils/widgets/challenges.py): the goal above the controls, the acknowledgement and the "why"
        "challenge": "도전 과제:",
        "challenge_done": "해결했습니다! 아래의 ‘왜 그럴까요?’를 열어 이유를 확인해 보십시오.",
        "challenge_why": "왜 그럴까요?",
        "goal_database": "소프트 어텐션 조회에서 어느 레코드에도 없는 성을 입력하고(철자를 하나 틀려 보십시오), "
        "그래도 이름 하나가 0.9보다 큰 가중치를 받게 해 보십시오.",
        "why_database": "철자가 조금 틀린 성은 올바른 키와 두 글자 묶음(바이그램)을 대부분 공유하므로, 그 키의 "
        "유사도가 여전히 가장 높습니다. 소프트맥스는 이 차이를 가중치로 바꾸고, 온도를 낮추면 스코어 사이의 간격이 "
        "모두 커집니다. 온도가 낮아질수록 소프트 어텐션은 근사 매칭처럼 레코드 하나를 고릅니다.",
        "goal_query": "온도를 1보다 낮추지 않고 k3의 가중치를 0.9보다 크게 만들어 보십시오.",
        "why_query": "가우시안 커널의 스코어는 −|q − k|²/(2h²)이므로, 대역폭 h를 절반으로 줄이면 스코어 사이의 "
        "간격이 모두 4배가 됩니다. 온도를 4분의 1로 낮춘 것과 똑같습니다. q를 k3 위에 두고 h를 줄이면 가장 가까운 "
        "키가 가중치를 거의 모두 가져갑니다. 내적에서도 쿼리가 길어지면 가중치가 같은 방식으로 날카로워지지만, 키가 "
        "제자리에 있는 한 이 그림 안에서는 k3를 0.9 위로 올릴 수 없습니다. k3를 q 방향으로 더 멀리 끌거나 다른 "
        "키들을 q에서 멀리 끌면 올릴 수 있습니다.",
        "goal_heatmap": "쿼리 1이 두 키에 가중치를 정확히 절반씩 주게 만들어 보십시오.",
        "why_heatmap": "쿼리와 키는 원 위에 있습니다. 쿼리 1은 키 1과 키 2 사이에 있되 키 1에 더 가까우므로, 내적과 "
        "가우시안 커널은 언제나 키 1을 더 선호합니다. 박스카 커널은 키가 얼마나 가까운지가 아니라 대역폭 안에 "
        "있는지만 봅니다. 대역폭이 약 1.04와 2 사이이면 정확히 이 두 키만 안에 들어와 각각 1/2을 받습니다.",
        "goal_kernel_regression": "창이 있는 커널(박스카 또는 에파네치니코프)을 고르고, 추정 곡선이 끊기지 않는 가장 "
        "작은 대역폭을 10% 이내로 찾아보십시오.",
        "why_kernel_regression": "이 커널들은 테스트 점에서 대역폭 이내에 있는 학습 데이터 점에만 가중치를 주므로, "
        "그만큼 가까운 학습 데이터 점이 없는 곳에서는 추정 곡선이 끊깁니다. 따라서 끊기지 않는 가장 작은 대역폭은 "
        "테스트 점에서 가장 가까운 학습 데이터 점까지의 거리 중 가장 큰 값, 곧 이웃한 학습 데이터 점 사이의 가장 "
        "넓은 간격의 절반쯤입니다. 가우시안 커널은 가중치가 0이 되지 않으므로 어떤 대역폭에서도 끊기지 않습니다.",
        "goal_projection": "이 헤드에서 다른 토큰과 가중치가 정확히 같은 쿼리 토큰을 찾아보십시오. 누르기 전에 먼저 "
        "예상해 보십시오.",
        "why_projection": "두 “the” 토큰은 임베딩 x가 같으므로 쿼리 x W_q도 같고, 모든 헤드에서 키들에 대한 가중치도 "
        "같습니다. 셀프 어텐션만으로는 토큰이 어디에 있는지 알 수 없습니다. 트랜스포머는 임베딩에 위치 정보를 더해 "
        "두 토큰이 달라질 수 있게 합니다.",
        "goal_projection_model": "학습된 매개변수로, 쿼리(마지막 위치)가 바로 앞 행의 키를 묻는 시퀀스를 입력하고, "
        "쿼리의 가중치를 0.9보다 많이 그 행에 주는 헤드를 찾아보십시오.",
        "why_projection_model": "학습을 거치면서 한 헤드가 쿼리의 키를 앞쪽 모든 위치의 키와 비교하게 되었습니다. 그 "
        "헤드의 쿼리 x W_q와 맞는 키 x W_k의 내적이 크므로, √d_k로 나누고 소프트맥스를 거치면 가중치가 그 행이 "
        "어디에 있든 거의 모두 그 행에 모입니다. 첫 절의 데이터베이스 조회를 학습으로 얻은 것입니다. 무작위 "
        "매개변수에서는 같은 헤드가 가중치를 고르게 나눕니다.",
        # accessibility: what a screen reader hears ({key} and {weight} are filled in by the view)
        "announce_largest": "가장 큰 가중치는 이제 {key}의 {weight}입니다",
        "announce_tie": "{key}의 가중치가 이제 모두 {weight}입니다",
        "bandwidth_disabled": "대역폭은 커널 어텐션 스코어 함수에서만 씁니다",
        "temperature_disabled": "온도는 소프트 어텐션 조회에서만 씁니다",
        "move_query": "쿼리 q: 화살표 키로 옮길 수 있습니다",
        "move_point": "{point}, 위치 ({x}, {y}): 끌거나 화살표 키로 옮길 수 있습니다",
        "parameters": "매개변수",
        "trained": "학습된 값",
        "random": "무작위(학습 전의 같은 모델)",
        "sequence_input": "입력 시퀀스(위치는 쉼표로 구분)",
        "run": "실행",
        "clear": "지우기",
        "add_token": "토큰 추가",
        "seq_empty": "시퀀스가 비어 있습니다. 위치를 하나 이상 입력하십시오.",
        "seq_unknown": "알 수 없는 토큰 “{token}”: 버튼에 있는 토큰만 쓰십시오.",
        "seq_too_long": "너무 깁니다. 위치가 {count}개인데 모델의 위치는 {max}개뿐입니다.",
        "seq_format": "{position}번 위치의 토큰이 {got}개입니다. 위치마다 토큰이 {slots}개 필요합니다(위치는 쉼표로 "
        "구분).",
        "seq_kept": "이전 시퀀스가 그대로 표시됩니다.",
        "query_vector": "쿼리 q",
        "weighted_sum": "값의 가중합 Σ 가중치 · v",
        "masked": "마스킹됨(뒤쪽 위치)",
        "answer": "이 위치에서 모델의 답",
        "probability": "확률",
        "model_note": "각 위치의 x는 그 위치 토큰들의 임베딩에 위치 임베딩을 더한 것입니다. 여기서 쿼리 x W_q, "
        "키 x W_k, 값 x W_v를 얻고, 헤드마다 그 일부를 씁니다. 각 위치는 자기 자신과 앞쪽 위치만 봅니다.",
    },
}
