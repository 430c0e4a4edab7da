# The embedded BLIP-architecture ITM teacher trained on the synthetic world's caption corpus
# (python tools/train_teacher.py; saved under the user cache dir, $VLMHOI_CACHE when set).
_base_ = ['./blip_itm_base.py']
teacher = dict(model_path='{{$VLMHOI_CACHE:~/.cache/vlmhoi}}/teachers/embedded_blip_itm')
